/**
 * Testing a stored credential: one small request through the node that would use it (a
 * `select 1` for databases, a GET of base_url for HTTP credentials), so the test meets exactly the
 * connection code and error messages a workflow would.
 */
import type { ExecutionRecord } from '../engine/execution.js';
import { runWorkflow } from '../engine/runner.js';
import { normalizeWorkflow } from '../workflow/parse.js';
import type { CredentialVault } from '../secrets/index.js';
import { ApiError } from './http-errors.js';

export interface CredentialTestResult {
  ok: boolean;
  message: string;
  duration_ms: number;
}

const TIMEOUT_MS = 15_000;

function probeNode(type: string, credentialId: string, fields: Record<string, unknown>): { type: string; config: Record<string, unknown> } | null {
  switch (type) {
    case 'postgres':
      return { type: 'postgresql-query', config: { credential: credentialId, query: 'select 1' } };
    case 'mysql':
      return { type: 'mysql-query', config: { credential: credentialId, query: 'select 1' } };
    case 'api_key':
    case 'bearer':
    case 'basic_auth':
      if (typeof fields.base_url !== 'string') return null;
      return { type: 'http_request', config: { credential: credentialId, url: fields.base_url, method: 'GET', request_timeout_ms: TIMEOUT_MS } };
    default:
      return null;
  }
}

export async function testCredential(vault: CredentialVault, reference: string, dataDir: string): Promise<CredentialTestResult> {
  const credential = await vault.get(reference);
  const probe = probeNode(credential.type, credential.id, credential.fields);
  if (!probe) {
    const hint = ['api_key', 'bearer', 'basic_auth'].includes(credential.type) ? ' without a base_url (set one to test it)' : '';
    throw new ApiError(422, 'CREDENTIAL_TEST_UNSUPPORTED', `credentials of type ${credential.type}${hint} cannot be tested here`);
  }
  const { workflow } = normalizeWorkflow({
    id: `credential-test-${credential.id}`,
    name: `credential test ${credential.name}`,
    nodes: [{ id: 'probe', type: probe.type, config: { ...probe.config, timeout_ms: TIMEOUT_MS } }],
    connections: [],
  });
  const started = performance.now();
  const record: ExecutionRecord = await runWorkflow(workflow!, { mode: 'credential-test', getCredential: vault.resolveCredential, dataDir });
  const duration_ms = Math.round(performance.now() - started);
  if (record.status === 'completed') return { ok: true, message: `${credential.type} credential "${credential.name}" works`, duration_ms };
  return { ok: false, message: record.error?.message ?? 'the test failed', duration_ms };
}
