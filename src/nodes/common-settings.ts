/**
 * Settings every node accepts in its config, next to its own fields: error handling and timeout.
 * Kept apart from node fields so each node declares only what is its own.
 */
import { field, type FieldMap } from './fields.js';

export const commonSettingFields: FieldMap = {
  on_error: field.select(['stop', 'continue', 'retry'], {
    default: 'stop',
    description: 'stop the run, continue with {error} as output, or retry',
  }),
  max_retries: field.number({ default: 3, min: 0, max: 100, integer: true, description: 'retries after the first attempt' }),
  retry_delay_ms: field.number({ default: 1000, min: 0, max: 3_600_000, description: 'wait before the first retry' }),
  backoff: field.number({ default: 2, min: 1, max: 10, description: 'each retry waits this factor longer' }),
  retry_then: field.select(['stop', 'continue'], { default: 'stop', description: 'what to do when retries run out' }),
  timeout_ms: field.number({ min: 1, description: 'fail the node when one attempt takes longer' }),
};

export interface CommonSettings {
  on_error: 'stop' | 'continue' | 'retry';
  max_retries: number;
  retry_delay_ms: number;
  backoff: number;
  retry_then: 'stop' | 'continue';
  timeout_ms?: number;
}

export const commonSettingNames = new Set(Object.keys(commonSettingFields));
