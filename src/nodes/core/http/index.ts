import type { RegisteredNode } from '../../sdk.js';
import { httpRequestNode } from './http-request.js';
import { webhookCallNode } from './webhook-call.js';

export const httpNodes: RegisteredNode[] = [httpRequestNode, webhookCallNode];
