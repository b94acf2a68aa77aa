/**
 * `$env` in expressions: only the variables a user listed in SKYNETTE_ENV_ALLOW (comma separated),
 * so a workflow file cannot read secrets from the environment it was not given.
 */
let cachedKey: string | undefined;
let cachedEnv: Record<string, string> = {};

export function allowedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const allow = env.SKYNETTE_ENV_ALLOW ?? '';
  if (env === process.env && allow === cachedKey) return cachedEnv;
  const out: Record<string, string> = {};
  for (const name of allow.split(',').map((s) => s.trim()).filter(Boolean)) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  if (env === process.env) {
    cachedKey = allow;
    cachedEnv = out;
  }
  return out;
}
