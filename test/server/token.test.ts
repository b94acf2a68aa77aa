/**
 * `skynette token` and `skynette token rotate`, and a running server honouring a rotation at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startInProcess, tempDataDir } from './helpers.js';

const entry = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'src', 'cli', 'main.ts');

function cli(args: string[], dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { env: { ...process.env, NO_COLOR: '1', SKYNETTE_DATA_DIR: dataDir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('token prints (and first makes) the token; rotate replaces it; a running server accepts only the new one', async () => {
  const dataDir = tempDataDir();
  try {
    const first = await cli(['token'], dataDir);
    assert.equal(first.code, 0, first.stderr);
    const token = first.stdout.trim();
    assert.match(token, /^skn_[A-Za-z0-9_-]{43}$/);
    assert.match(first.stderr, /created and stored in .*api-token/);
    assert.equal(statSync(join(dataDir, 'api-token')).mode & 0o777, 0o600);
    assert.equal((await cli(['token', '--quiet'], dataDir)).stdout.trim(), token);

    const s = await startInProcess({ dataDir });
    try {
      assert.equal(s.token, token, 'the server uses the token made by the CLI');
      assert.equal((await s.api('GET', '/api/v1/settings')).status, 200);
      const rotated = await cli(['token', 'rotate', '--quiet'], dataDir);
      assert.equal(rotated.code, 0);
      const fresh = rotated.stdout.trim();
      assert.notEqual(fresh, token);
      const old = await s.request('GET', '/api/v1/settings', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(old.status, 401);
      const now = await s.request('GET', '/api/v1/settings', { headers: { authorization: `Bearer ${fresh}` } });
      assert.equal(now.status, 200);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
