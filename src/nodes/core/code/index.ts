import type { RegisteredNode } from '../../sdk.js';

export const codeNodes: RegisteredNode[] = [];
