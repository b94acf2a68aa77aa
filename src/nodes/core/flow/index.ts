import type { RegisteredNode } from '../../sdk.js';
import { ifElse } from './if-else.js';
import { switchNode } from './switch.js';
import { merge } from './merge.js';
import { loop } from './loop.js';
import { setVariable } from './set-variable.js';
import { logDebug } from './log-debug.js';
import { wait } from './wait.js';

export const flowNodes: RegisteredNode[] = [ifElse, switchNode, merge, loop, setVariable, logDebug, wait];
