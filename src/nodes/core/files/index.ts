import type { RegisteredNode } from '../../sdk.js';
import { readFileNode } from './read-file.js';
import { writeFileNode } from './write-file.js';

export const fileNodes: RegisteredNode[] = [readFileNode, writeFileNode];
