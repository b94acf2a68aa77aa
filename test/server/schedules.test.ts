/**
 * Schedules: the original modes read as schedules (with time zones), next run times, one run at
 * a time per workflow, catch-up of a run missed while down, and a seconds-level cron firing in a
 * running server.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Scheduler, type ScheduledRun } from '../../src/scheduler/scheduler.js';
import { missedRun, nextRunTimes, scheduleSpec } from '../../src/scheduler/schedule-spec.js';
import { normalizeWorkflow } from '../../src/workflow/parse.js';
import type { WorkflowNode } from '../../src/workflow/model.js';
import { chain, startInProcess, tempDataDir, waitFor } from './helpers.js';

const node = (config: Record<string, unknown>): WorkflowNode => ({ id: 'tick', type: 'schedule_trigger', name: 'tick', position: { x: 0, y: 0 }, config, enabled: true });

function scheduled(id: string, config: Record<string, unknown>, extraNodes: Array<{ id: string; type: string; config?: Record<string, unknown> }> = []) {
  return normalizeWorkflow(chain(id, [{ id: 'tick', type: 'schedule_trigger', config }, ...extraNodes])).workflow!;
}

describe('schedule specs', () => {
  test('daily at a time in a time zone', () => {
    const spec = scheduleSpec(node({ schedule_type: 'daily', time: '09:30', timezone: 'Europe/Berlin' }));
    const [next] = nextRunTimes(spec, 1, new Date('2030-01-15T12:00:00Z'));
    assert.equal(next.toISOString(), '2030-01-16T08:30:00.000Z');
    const [summer] = nextRunTimes(spec, 1, new Date('2030-07-15T12:00:00Z'));
    assert.equal(summer.toISOString(), '2030-07-16T07:30:00.000Z');
  });

  test('weekly on a day', () => {
    const spec = scheduleSpec(node({ schedule_type: 'weekly', day_of_week: 'friday', time: '18:00' }));
    const runs = nextRunTimes(spec, 2, new Date('2030-01-15T12:00:00Z'));
    assert.deepEqual(
      runs.map((d) => d.toISOString()),
      ['2030-01-18T18:00:00.000Z', '2030-01-25T18:00:00.000Z'],
    );
  });

  test('cron with and without seconds', () => {
    const five = scheduleSpec(node({ schedule_type: 'cron', cron: '*/15 9-17 * * 1-5', timezone: 'UTC' }));
    assert.equal(nextRunTimes(five, 1, new Date('2030-01-15T09:07:00Z'))[0].toISOString(), '2030-01-15T09:15:00.000Z');
    const six = scheduleSpec(node({ schedule_type: 'cron', cron: '*/10 * * * * *' }));
    assert.equal(nextRunTimes(six, 1, new Date('2030-01-15T09:07:03Z'))[0].toISOString(), '2030-01-15T09:07:10.000Z');
  });

  test('interval: every N minutes from the last run', () => {
    const spec = scheduleSpec(node({ schedule_type: 'interval', interval_minutes: 15 }));
    const runs = nextRunTimes(spec, 2, new Date('2030-01-15T10:20:00Z'), new Date('2030-01-15T10:00:00Z'));
    assert.deepEqual(
      runs.map((d) => d.toISOString()),
      ['2030-01-15T10:30:00.000Z', '2030-01-15T10:45:00.000Z'],
    );
  });

  test('bad config is reported with the field path', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ schedule_type: 'daily', time: '25:00' }, /config\.time/],
      [{ schedule_type: 'cron' }, /config\.cron: a cron expression is required/],
      [{ schedule_type: 'cron', cron: '61 * * * *' }, /config\.cron: "61 \* \* \* \*" is not a valid cron expression/],
      [{ schedule_type: 'cron', cron: '* * *' }, /has 3 fields/],
      [{ schedule_type: 'daily', timezone: 'Mars/Olympus' }, /config\.timezone/],
      [{ schedule_type: 'interval', interval_minutes: 0 }, /interval_minutes/],
    ];
    for (const [config, message] of cases) assert.throws(() => scheduleSpec(node(config)), message);
  });

  test('missed runs: the latest one in the gap, or none', () => {
    const spec = scheduleSpec(node({ schedule_type: 'daily', time: '09:00' }));
    assert.equal(missedRun(spec, new Date('2030-01-10T10:00:00Z'), new Date('2030-01-13T08:00:00Z'))?.toISOString(), '2030-01-12T09:00:00.000Z');
    assert.equal(missedRun(spec, new Date('2030-01-12T10:00:00Z'), new Date('2030-01-13T08:00:00Z')), null);
  });
});

describe('scheduler', () => {
  test('one run at a time per workflow unless allow_overlap', async () => {
    const fires: ScheduledRun[] = [];
    let release!: () => void;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const skipped: ScheduledRun[] = [];
    const scheduler = new Scheduler({
      stateFile: null,
      run: (fire) => {
        fires.push(fire);
        return blocker;
      },
      onSkip: (fire) => skipped.push(fire),
    });
    scheduler.set(scheduled('busy', { schedule_type: 'cron', cron: '* * * * * *' }), { fresh: true });
    await waitFor('two ticks', () => skipped.length >= 1, 5000);
    assert.equal(fires.length, 1, 'the second tick was skipped while the first run went on');
    release();
    await waitFor('a new run after the first ended', () => fires.length >= 2, 5000);
    scheduler.remove('busy');

    const overlapping: ScheduledRun[] = [];
    const open = new Scheduler({ stateFile: null, run: (fire) => (overlapping.push(fire), new Promise(() => {})) });
    open.set(scheduled('overlap', { schedule_type: 'cron', cron: '* * * * * *', allow_overlap: true }), { fresh: true });
    await waitFor('two overlapping runs', () => overlapping.length >= 2, 5000);
    open.stop();
    scheduler.stop();
  });

  test('catch_up: a run missed while down runs once at start; without catch_up it does not', () => {
    const dir = tempDataDir();
    const stateFile = join(dir, 'schedules.json');
    let now = new Date('2030-01-10T08:00:00Z');
    const runs: ScheduledRun[] = [];
    const make = () => new Scheduler({ stateFile, now: () => now, run: (fire) => (runs.push(fire), Promise.resolve()) });
    const daily = scheduled('daily', { schedule_type: 'daily', time: '09:00', catch_up: true });
    const first = make();
    first.set(daily, { fresh: true });
    first.set(scheduled('no-catch', { schedule_type: 'daily', time: '09:00' }), { fresh: true });
    first.stop();
    // Down for three days.
    now = new Date('2030-01-13T08:00:00Z');
    const second = make();
    second.set(daily, { fresh: false, catchUp: true });
    second.set(scheduled('no-catch', { schedule_type: 'daily', time: '09:00' }), { fresh: false, catchUp: true });
    assert.equal(runs.length, 1);
    assert.equal(runs[0].workflowId, 'daily');
    assert.equal(runs[0].catchUp, true);
    assert.equal(runs[0].scheduledAt.toISOString(), '2030-01-12T09:00:00.000Z');
    second.stop();
    // Restarted again at once: the missed run was recorded, nothing to catch up.
    const third = make();
    third.set(daily, { fresh: false, catchUp: true });
    assert.equal(runs.length, 1);
    assert.deepEqual(third.nextRuns('daily', 1)[0].next_runs, ['2030-01-13T09:00:00.000Z']);
    third.stop();
  });
});

describe('schedules in the server', () => {
  test('a seconds-level cron fires while active; next runs show in the API; deactivating stops it', async () => {
    const s = await startInProcess();
    try {
      const wf = chain('every-second', [
        { id: 'tick', type: 'schedule_trigger', config: { schedule_type: 'cron', cron: '* * * * * *', timezone: 'UTC' } },
        { id: 'note', type: 'set_variable', config: { variable_name: 'at', value: '{{ $trigger.scheduled_at }}' } },
      ]);
      assert.equal((await s.api('POST', '/api/v1/workflows', wf)).status, 201);
      const on = await s.api('POST', '/api/v1/workflows/every-second/activate');
      assert.equal(on.status, 200, on.text);
      assert.equal(on.body.schedules[0].node_id, 'tick');
      assert.equal(on.body.schedules[0].next_runs.length, 5);
      const listed = await s.api('GET', '/api/v1/workflows?search=every-second');
      assert.equal(listed.body.data[0].schedules[0].schedule, '* * * * * *');
      const fired = await waitFor(
        'two scheduled runs',
        async () => {
          const r = await s.api('GET', '/api/v1/executions?workflow=every-second&status=completed');
          return r.body.data.length >= 2 && r.body.data;
        },
        8000,
        100,
      );
      assert.equal(fired[0].mode, 'schedule');
      const one = await s.api('GET', `/api/v1/executions/${fired[0].id}`);
      assert.equal(one.body.trigger_data.catch_up, false);
      assert.match(one.body.variables.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      await s.api('POST', '/api/v1/workflows/every-second/deactivate');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const count = (await s.api('GET', '/api/v1/executions?workflow=every-second&limit=1000')).body.data.length;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal((await s.api('GET', '/api/v1/executions?workflow=every-second&limit=1000')).body.data.length, count);
    } finally {
      await s.close();
    }
  });

  test('a bad schedule cannot be activated (422 with the path)', async () => {
    const s = await startInProcess();
    try {
      await s.api('POST', '/api/v1/workflows', chain('bad-cron', [{ id: 'tick', type: 'schedule_trigger', config: { schedule_type: 'cron', cron: '99 * * * *' } }]));
      const r = await s.api('POST', '/api/v1/workflows/bad-cron/activate');
      assert.equal(r.status, 422);
      assert.equal(r.body.error.details[0].path, 'nodes[0].config.cron');
    } finally {
      await s.close();
    }
  });
});
