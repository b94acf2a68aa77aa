/**
 * Every setting Skynette knows: its type (zod), default and meaning. Add new ones here.
 */
import { z } from 'zod';

export interface SettingDefinition<T> {
  schema: z.ZodType<T>;
  default: T;
  description: string;
}

function define<T>(schema: z.ZodType<T>, defaultValue: T, description: string): SettingDefinition<T> {
  return { schema, default: defaultValue, description };
}

export const settingDefinitions = {
  'executions.retention_days': define(
    z.number().int().min(0),
    14,
    'Finished executions that started more than this many days ago are pruned (0: no age limit).',
  ),
  'executions.max_count': define(
    z.number().int().min(0),
    10_000,
    'At most this many finished executions are kept; the oldest are pruned first (0: no count limit).',
  ),
};

export type SettingKey = keyof typeof settingDefinitions;
export type SettingValue<K extends SettingKey> = (typeof settingDefinitions)[K]['default'];
export type SettingValues = { [K in SettingKey]: SettingValue<K> };
