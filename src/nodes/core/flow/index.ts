import type { RegisteredNode } from '../../sdk.js';

export const flowNodes: RegisteredNode[] = [];
