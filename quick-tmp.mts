import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '/work/main/src/server/server.js';
import pino from 'pino';
const dir = mkdtempSync(join(tmpdir(), 'sk-'));
const save = process.argv[2] !== 'nosave';
const server = await startServer({ port: 5699, dataDir: dir, env: { ...process.env }, log: pino({ level: 'warn' }) });
const token = server.context.token.current();
const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const wf = { id: 'hello', name: 'Hello', settings: { save_executions: save }, nodes: [
  { id: 'hook', type: 'webhook-trigger', config: { path: '/hello', method: 'POST', response_mode: 'response_node' } },
  { id: 'set', type: 'set_variable', config: { variable_name: 'n', value: '{{ $prev.body.n }}' } },
  { id: 'respond', type: 'webhook-response', config: { body: { got: '{{ $vars.n }}' } } },
], connections: [{ source_node_id: 'hook', target_node_id: 'set' }, { source_node_id: 'set', target_node_id: 'respond' }] };
await fetch(server.url + '/api/v1/workflows', { method: 'POST', headers: h, body: JSON.stringify(wf) });
await fetch(server.url + '/api/v1/workflows/hello/activate', { method: 'POST', headers: { authorization: h.authorization } });
console.log('ready');
process.on('SIGTERM', async () => { await server.close(); process.exit(0); });
