/**
 * A workflow whose HTTP calls fail with secrets from the vault in a header, in the URL and echoed
 * back by the service: the execution record, its logs and the database file hold none of them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWorkflow } from '../../src/engine/runner.js';
import { forgetSecrets, redactSecrets } from '../../src/secrets/redact.js';
import { closedPort, startTestServer, type TestServer } from '../helpers/http-server.js';
import { workflow } from '../helpers/workflow.js';
import { openTestVault, type TestVault } from './fixtures.js';

const BEARER = 'ghp_NOLEAK-BEARER-0123456789';
const QUERY_KEY = 'NOLEAK-QUERY-KEY-abcdef';

let server: TestServer;
let t: TestVault;
before(async () => {
  server = await startTestServer();
  t = await openTestVault();
  forgetSecrets();
});
after(async () => {
  await server.close();
  await t.cleanup();
});

describe('secrets from the vault in a failing workflow', () => {
  it('appear nowhere in the execution record, its logs or the database file', async () => {
    await t.vault.add('bearer', 'github', { token: BEARER, base_url: server.url });
    await t.vault.add('api_key', 'search', { key: QUERY_KEY, in: 'query', param_name: 'api_key' });
    server.on('GET', '/echo', (req) => ({ status: 401, body: `bad token: ${req.headers.authorization}`, headers: { 'content-type': 'text/plain' } }));
    const port = await closedPort();
    const wf = workflow(
      [
        { id: 'start', type: 'manual_trigger' },
        { id: 'echo', type: 'http_request', config: { url: '/echo', credential: 'github', on_error: 'continue' } },
        { id: 'down', type: 'http_request', config: { url: `http://127.0.0.1:${port}/search`, credential: 'search', on_error: 'continue' } },
      ],
      ['start -> echo', 'echo -> down'],
    );
    const record = await runWorkflow(wf, { getCredential: t.vault.resolveCredential, mode: 'manual' });
    const text = JSON.stringify(record);
    const failed = record.node_results.filter((r) => r.status === 'failed');
    assert.equal(failed.length, 2, text.slice(0, 2000));
    assert.match(text, /401/);
    assert.match(text, /api_key=\*\*\*/);
    for (const secret of [BEARER, QUERY_KEY]) {
      assert.ok(!text.includes(secret), `${secret} is in the execution record`);
      assert.ok(redactSecrets(`x ${secret} y`) === 'x *** y', 'the vault remembered the secret for redaction');
    }
    await t.database.close();
    const raw = Buffer.concat(readdirSync(t.dir).filter((f) => f.startsWith('skynette.db')).map((f) => readFileSync(join(t.dir, f))));
    for (const secret of [BEARER, QUERY_KEY]) assert.equal(raw.indexOf(secret), -1, `${secret} is in the database file`);
  });
});
