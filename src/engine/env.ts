/**
 * `$env` in expressions: only the variables a user listed in SKYNETTE_ENV_ALLOW (comma separated),
 * so a workflow file cannot read secrets from the environment it was not given.
 */
// Reading process.env is slow (a system call per name); the process's own allow-list is read once.
let processEnv: Record<string, string> | undefined;

export function allowedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env === process.env && processEnv) return processEnv;
  const allow = env.SKYNETTE_ENV_ALLOW ?? '';
  const out: Record<string, string> = {};
  for (const name of allow.split(',').map((s) => s.trim()).filter(Boolean)) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  if (env === process.env) processEnv = Object.freeze(out);
  return out;
}
