import type { RegisteredNode } from '../../sdk.js';

export const triggerNodes: RegisteredNode[] = [];
