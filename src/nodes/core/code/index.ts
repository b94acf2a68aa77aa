import type { RegisteredNode } from '../../sdk.js';
import { codeNode } from './code.js';

export const codeNodes: RegisteredNode[] = [codeNode];
