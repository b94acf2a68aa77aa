import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { WorkflowLibrary } from '../../src/library/library.js';
import { watchWorkflowFiles } from '../../src/library/watch.js';
import type { SyncReport } from '../../src/library/sync.js';
import { parseWorkflowText } from '../../src/workflow/parse.js';

test('the watcher turns a file edited on disk into a new version, and ignores a broken file', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skynette-watch-'));
  const store = await openStore({ dataDir });
  const library = new WorkflowLibrary(store.workflowStore, dataDir);
  const reports: SyncReport[] = [];
  let wake: (() => void) | undefined;
  const watcher = watchWorkflowFiles(library, (r) => (reports.push(r), wake?.()), (e) => assert.fail(String(e)), 50);
  const next = () => new Promise<void>((resolve) => (wake = resolve));
  try {
    const saved = await library.save(parseWorkflowText(readFileSync('examples/hello.yaml', 'utf8')).workflow!, 'cli');
    if (reports.length === 0) await next();
    reports.length = 0;

    const pending = next();
    writeFileSync(saved.file, readFileSync(saved.file, 'utf8').replace('greeting: Hello', 'greeting: Hi'));
    await pending;
    const updated = reports.flatMap((r) => r.updated);
    assert.equal(updated.length, 1);
    assert.equal(updated[0].version, 2);
    assert.equal((await store.workflowStore.require('hello')).workflow.variables.greeting, 'Hi');

    reports.length = 0;
    const broken = next();
    writeFileSync(saved.file, 'name: Hello\nid: hello\nnodes: [');
    await broken;
    assert.equal(reports.flatMap((r) => r.invalid).length, 1);
    assert.equal((await store.workflowStore.require('hello')).current_version, 2, 'the stored workflow is unchanged');
  } finally {
    watcher.close();
    await store.close();
  }
});
