/**
 * /api/v1/settings: every setting's value as one object; PUT changes the keys it names, after
 * checking all of them (nothing is stored when one is bad).
 */
import type { FastifyInstance } from 'fastify';
import { isSettingKey, settingDefinitions, type SettingKey } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { validationError } from '../http-errors.js';

export function registerSettingsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { settingsStore } = ctx.data.store;

  app.get('/api/v1/settings', async () => settingsStore.all());

  app.put('/api/v1/settings', async (request) => {
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw validationError([{ path: 'body', message: 'expected an object of settings, e.g. {"executions.retention_days": 30}' }], 'the request body');
    }
    const problems: Array<{ path: string; message: string }> = [];
    const values: Array<[SettingKey, unknown]> = [];
    for (const [key, value] of Object.entries(body)) {
      if (!isSettingKey(key)) {
        problems.push({ path: key, message: `unknown setting; the settings are ${Object.keys(settingDefinitions).join(', ')}` });
        continue;
      }
      const parsed = settingDefinitions[key].schema.safeParse(value);
      if (!parsed.success) problems.push({ path: key, message: parsed.error.issues.map((i) => i.message).join('; ') });
      else values.push([key, parsed.data]);
    }
    if (problems.length) throw validationError(problems, 'the settings');
    for (const [key, value] of values) await settingsStore.set(key, value);
    return settingsStore.all();
  });
}
