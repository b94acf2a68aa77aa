/**
 * Typed key/value settings: a stored value is validated on the way in; an unset key reads as its
 * default. Unknown keys and bad values are refused with the key as the error path.
 */
import { SkynetteError } from '../util/errors.js';
import type { Database } from './database.js';
import { fromJson, toJson } from './json.js';
import { settingDefinitions, type SettingDefinition, type SettingKey, type SettingValue, type SettingValues } from './setting-definitions.js';

export interface SettingEntry {
  key: SettingKey;
  value: unknown;
  default: unknown;
  /** true when nothing is stored and the default applies. */
  isDefault: boolean;
  description: string;
  updated_at: string | null;
}

export interface SettingsStore {
  get<K extends SettingKey>(key: K): Promise<SettingValue<K>>;
  /** Validates and stores a value; returns it as stored. */
  set<K extends SettingKey>(key: K, value: unknown): Promise<SettingValue<K>>;
  /** For the CLI: text that reads as JSON is taken as JSON ("30", "true"), anything else as a string. */
  setText(key: string, text: string): Promise<unknown>;
  /** Back to the default. */
  reset(key: string): Promise<void>;
  list(): Promise<SettingEntry[]>;
  /** Every setting's value (stored or default). */
  all(): Promise<SettingValues>;
}

const KEYS = Object.keys(settingDefinitions) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(settingDefinitions, key);
}

function definitionOf(key: string): SettingDefinition<unknown> {
  if (!isSettingKey(key)) {
    throw new SkynetteError('SETTING_UNKNOWN', `unknown setting "${key}"; the settings are: ${KEYS.join(', ')}`, { path: key });
  }
  return settingDefinitions[key] as SettingDefinition<unknown>;
}

function validate(key: string, value: unknown): unknown {
  const definition = definitionOf(key);
  const parsed = definition.schema.safeParse(value);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new SkynetteError('SETTING_INVALID', `${key}: ${JSON.stringify(value) ?? String(value)} is not a valid value (${reasons}); the default is ${JSON.stringify(definition.default)}`, {
      path: key,
    });
  }
  return parsed.data;
}

/** A stored value that no longer validates (a setting whose type changed) reads as the default. */
function storedValue(key: SettingKey, text: string): { value: unknown; valid: boolean } {
  const definition = settingDefinitions[key] as SettingDefinition<unknown>;
  let raw: unknown;
  try {
    raw = fromJson<unknown>(text, undefined, `settings[${key}]`);
  } catch {
    return { value: definition.default, valid: false };
  }
  const parsed = definition.schema.safeParse(raw);
  return parsed.success ? { value: parsed.data, valid: true } : { value: definition.default, valid: false };
}

export function createSettingsStore(database: Database): SettingsStore {
  const { db } = database;

  const store: SettingsStore = {
    async get(key) {
      definitionOf(key);
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return (row ? storedValue(key, row.value).value : settingDefinitions[key].default) as SettingValue<typeof key>;
    },

    async set(key, value) {
      const valid = validate(key, value);
      const now = new Date().toISOString();
      await db
        .insertInto('settings')
        .values({ key, value: toJson(valid), updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: (eb) => eb.ref('excluded.value'), updated_at: (eb) => eb.ref('excluded.updated_at') }))
        .execute();
      return valid as SettingValue<typeof key>;
    },

    async setText(key, text) {
      const { schema } = definitionOf(key);
      let value: unknown = text;
      try {
        const parsed: unknown = JSON.parse(text);
        // "30" is the number 30; but "007" for a text setting stays the text.
        if (schema.safeParse(parsed).success || !schema.safeParse(text).success) value = parsed;
      } catch {
        // Not JSON: the text itself.
      }
      return store.set(key as SettingKey, value);
    },

    async reset(key) {
      definitionOf(key);
      await db.deleteFrom('settings').where('key', '=', key).execute();
    },

    async list() {
      const rows = await db.selectFrom('settings').selectAll().execute();
      const stored = new Map(rows.map((r) => [r.key, r]));
      return KEYS.map((key) => {
        const definition = settingDefinitions[key] as SettingDefinition<unknown>;
        const row = stored.get(key);
        const found = row ? storedValue(key, row.value) : undefined;
        return {
          key,
          value: found ? found.value : definition.default,
          default: definition.default,
          isDefault: !found?.valid,
          description: definition.description,
          updated_at: found?.valid ? row!.updated_at : null,
        };
      });
    },

    async all() {
      const entries = await store.list();
      return Object.fromEntries(entries.map((e) => [e.key, e.value])) as SettingValues;
    },
  };
  return store;
}
