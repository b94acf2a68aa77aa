import type { RegisteredNode } from '../../sdk.js';

export const fileNodes: RegisteredNode[] = [];
