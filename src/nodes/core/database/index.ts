import type { RegisteredNode } from '../../sdk.js';

export const databaseNodes: RegisteredNode[] = [];
