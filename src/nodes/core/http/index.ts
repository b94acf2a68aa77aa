import type { RegisteredNode } from '../../sdk.js';

export const httpNodes: RegisteredNode[] = [];
