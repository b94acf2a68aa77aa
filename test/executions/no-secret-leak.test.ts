import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startTestServer } from '../helpers/http-server.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Secrets from the vault travel in a header and in the URL of a call that fails; afterwards no
 * byte of them is in the database files, the workflow files, the execution record or the output.
 */
test('a failing HTTP call with a secret in a header and in the URL leaves the secret nowhere', async () => {
  const server = await startTestServer();
  // A hostile API: it fails and echoes back everything it was sent, secrets included.
  server.fallback((req) => ({ status: 401, json: { error: `bad token in ${req.headers.authorization} for ${req.url}`, echo: req.headers } }));
  const dataDir = mkdtempSync(join(tmpdir(), 'skynette-leak-'));
  const env = { SKYNETTE_DATA_DIR: dataDir };
  const bearer = 'tok-BEARER-5ecret-7f3a9c';
  const apiKey = 'key-QUERY-5ecret-2b8d41';
  try {
    const added = await runCli(['credentials', 'add', 'bearer', 'api-token', '--stdin', 'token'], { env, input: bearer });
    assert.equal(added.code, 0, added.stderr);
    const addedKey = await runCli(['credentials', 'add', 'api_key', 'query-key', '-f', 'in=query', '-f', 'param_name=key', '--stdin', 'key'], { env, input: apiKey });
    assert.equal(addedKey.code, 0, addedKey.stderr);

    const wf = join(dataDir, 'leaky.yaml');
    writeFileSync(
      wf,
      `
id: leaky
name: Leaky
nodes:
  - {id: start, type: manual_trigger}
  - {id: call, type: http_request, config: {url: "${server.url}/v1/things", credential: api-token, on_error: continue}}
  - {id: call2, type: http_request, config: {url: "${server.url}/v1/other", credential: query-key}}
connections:
  - {source_node_id: start, target_node_id: call}
  - {source_node_id: call, target_node_id: call2}
`,
    );
    assert.equal((await runCli(['workflows', 'import', wf], { env })).code, 0);
    const run = await runCli(['exec', 'leaky', '--json'], { env });
    assert.equal(run.code, 1, 'the second call fails the run');
    const verbose = await runCli(['exec', 'leaky', '--verbose'], { env });

    // The secrets really were sent: the test would prove nothing otherwise.
    assert.equal(server.requests[0].headers.authorization, `Bearer ${bearer}`);
    assert.match(server.requests[1].url, new RegExp(`key=${apiKey}`));

    const record = JSON.parse(run.stdout);
    assert.equal(record.status, 'failed');
    const shown = await runCli(['executions', 'show', record.execution_id, '--json'], { env });
    const places: Array<[string, string]> = [
      ['exec --json output', run.stdout + run.stderr],
      ['exec --verbose output', verbose.stdout + verbose.stderr],
      ['executions show', shown.stdout + shown.stderr],
    ];
    for (const file of filesUnder(dataDir)) places.push([file, readFileSync(file).toString('latin1')]);
    for (const secret of [bearer, apiKey]) {
      for (const [where, text] of places) assert.equal(text.includes(secret), false, `${secret} found in ${where}`);
    }
    assert.match(JSON.stringify(JSON.parse(shown.stdout).node_results), /401/);
  } finally {
    await server.close();
  }
});
