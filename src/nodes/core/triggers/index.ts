import type { RegisteredNode } from '../../sdk.js';
import { manualTrigger } from './manual-trigger.js';
import { scheduleTrigger } from './schedule-trigger.js';
import { webhookTrigger } from './webhook-trigger.js';
import { webhookResponse } from './webhook-response.js';

export const triggerNodes: RegisteredNode[] = [manualTrigger, scheduleTrigger, webhookTrigger, webhookResponse];
