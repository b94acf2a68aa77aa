/**
 * Runs the schedule triggers of active workflows while the server is up: cron patterns through
 * croner in their timezone, intervals by timer. One run at a time per workflow unless the trigger
 * allows overlap; at start, a trigger with catch_up runs once if it missed a run while down.
 */
import { Cron } from 'croner';
import { findNode } from '../nodes/registry.js';
import { SkynetteError, errorMessage } from '../util/errors.js';
import type { Workflow } from '../workflow/model.js';
import { ScheduleState } from './schedule-state.js';
import { firstIntervalRun, missedRun, nextRunTimes, scheduleSpec, type ScheduleSpec } from './schedule-spec.js';

export interface ScheduledRun {
  workflowId: string;
  nodeId: string;
  scheduledAt: Date;
  catchUp: boolean;
  spec: ScheduleSpec;
}

export interface SchedulerLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

export interface SchedulerOptions {
  /** Starts a run of `workflow`; resolves when that run has finished (the overlap guard waits on it). */
  run(fire: ScheduledRun, workflow: Workflow): Promise<unknown>;
  /** Where last runs are kept for catch-up; null keeps them in memory only. */
  stateFile: string | null;
  log?: SchedulerLog;
  /** A firing skipped because the previous run of the workflow is still going. */
  onSkip?(fire: ScheduledRun): void;
  now?: () => Date;
}

interface TriggerJob {
  nodeId: string;
  spec: ScheduleSpec;
  cron?: Cron;
  timer?: NodeJS.Timeout;
}

interface Entry {
  workflow: Workflow;
  jobs: TriggerJob[];
  running: number;
}

// setTimeout holds at most ~24.8 days; longer waits re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;

const silent: SchedulerLog = { info() {}, warn() {}, error() {} };

/** The schedule triggers of a workflow (enabled ones), each checked; throws on the first bad one. */
export function scheduleTriggers(workflow: Workflow): Array<{ nodeId: string; spec: ScheduleSpec }> {
  const found: Array<{ nodeId: string; spec: ScheduleSpec }> = [];
  workflow.nodes.forEach((node, index) => {
    if (!node.enabled || findNode(node.type)?.type !== 'schedule_trigger') return;
    found.push({ nodeId: node.id, spec: scheduleSpec(node, `nodes[${index}].config`) });
  });
  return found;
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly state: ScheduleState;
  private readonly log: SchedulerLog;
  private readonly now: () => Date;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    this.state = new ScheduleState(options.stateFile);
    this.log = options.log ?? silent;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Installs (or replaces) a workflow's schedules. `fresh`: a new activation, so nothing before now
   * is caught up. `catchUp`: run once now for each catch_up trigger that missed a run.
   */
  set(workflow: Workflow, options: { fresh: boolean; catchUp?: boolean }): number {
    if (this.stopped) throw new SkynetteError('SHUTTING_DOWN', 'the scheduler has stopped');
    const triggers = scheduleTriggers(workflow);
    const previous = this.entries.get(workflow.id);
    this.clearJobs(previous);
    if (triggers.length === 0) {
      if (previous && previous.running === 0) this.entries.delete(workflow.id);
      else if (previous) previous.jobs = [];
      this.state.prune(workflow.id, new Set());
      return 0;
    }
    const entry: Entry = previous ?? { workflow, jobs: [], running: 0 };
    entry.workflow = workflow;
    entry.jobs = triggers.map((t) => ({ nodeId: t.nodeId, spec: t.spec }));
    this.entries.set(workflow.id, entry);
    this.state.prune(workflow.id, new Set(triggers.map((t) => t.nodeId)));
    const now = this.now();
    for (const job of entry.jobs) {
      const known = this.state.track(workflow.id, job.nodeId, now, options.fresh);
      if (options.catchUp && job.spec.config.catch_up) {
        const missed = missedRun(job.spec, new Date(known.last_run ?? known.since), now);
        if (missed) {
          this.log.info({ workflow_id: workflow.id, node_id: job.nodeId, missed_at: missed.toISOString() }, 'schedule: catching up a run missed while the server was down');
          this.fire(entry, job, missed, true);
        }
      }
      this.arm(entry, job);
    }
    return entry.jobs.length;
  }

  remove(workflowId: string): void {
    const entry = this.entries.get(workflowId);
    if (!entry) return;
    this.clearJobs(entry);
    this.entries.delete(workflowId);
    this.state.prune(workflowId, new Set());
  }

  has(workflowId: string): boolean {
    return (this.entries.get(workflowId)?.jobs.length ?? 0) > 0;
  }

  /** The next run times of each schedule trigger of a workflow (none when it is not scheduled). */
  nextRuns(workflowId: string, count = 5): Array<{ node_id: string; schedule: string; timezone: string | null; next_runs: string[] }> {
    const entry = this.entries.get(workflowId);
    if (!entry) return [];
    const now = this.now();
    return entry.jobs.map((job) => {
      const known = this.state.get(workflowId, job.nodeId);
      const anchor = known ? new Date(known.last_run ?? known.since) : undefined;
      return {
        node_id: job.nodeId,
        schedule: job.spec.kind === 'cron' ? job.spec.pattern : `every ${job.spec.periodMs / 60_000} min`,
        timezone: job.spec.kind === 'cron' ? job.spec.timezone : null,
        next_runs: nextRunTimes(job.spec, count, now, anchor).map((d) => d.toISOString()),
      };
    });
  }

  /** Stops every timer; runs already started go on. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) this.clearJobs(entry);
  }

  private clearJobs(entry: Entry | undefined): void {
    if (!entry) return;
    for (const job of entry.jobs) {
      job.cron?.stop();
      if (job.timer) clearTimeout(job.timer);
      job.cron = undefined;
      job.timer = undefined;
    }
  }

  private arm(entry: Entry, job: TriggerJob): void {
    if (this.stopped) return;
    const spec = job.spec;
    if (spec.kind === 'cron') {
      const cron: Cron = new Cron(spec.pattern, { timezone: spec.timezone, mode: '5-or-6-parts' }, () => {
        this.fire(entry, job, cron.currentRun() ?? this.now(), false);
      });
      job.cron = cron;
      return;
    }
    const known = this.state.get(entry.workflow.id, job.nodeId);
    const anchor = known ? new Date(known.last_run ?? known.since) : undefined;
    const due = firstIntervalRun(spec.periodMs, this.now(), anchor);
    const wait = Math.max(0, due - this.now().getTime());
    job.timer = setTimeout(
      () => {
        job.timer = undefined;
        if (wait <= MAX_TIMER_MS) this.fire(entry, job, new Date(due), false);
        this.arm(entry, job);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  }

  private fire(entry: Entry, job: TriggerJob, scheduledAt: Date, catchUp: boolean): void {
    if (this.stopped || !entry.jobs.includes(job)) return;
    const workflow = entry.workflow;
    const fire: ScheduledRun = { workflowId: workflow.id, nodeId: job.nodeId, scheduledAt, catchUp, spec: job.spec };
    if (entry.running > 0 && !job.spec.config.allow_overlap) {
      this.log.warn({ workflow_id: workflow.id, node_id: job.nodeId, scheduled_at: scheduledAt.toISOString() }, 'schedule: skipped, the previous run is still going (allow_overlap is off)');
      this.options.onSkip?.(fire);
      return;
    }
    entry.running++;
    this.state.recordRun(workflow.id, job.nodeId, scheduledAt);
    let started: Promise<unknown>;
    try {
      started = this.options.run(fire, workflow);
    } catch (error) {
      started = Promise.reject(error);
    }
    started
      .catch((error: unknown) => {
        this.log.error({ workflow_id: workflow.id, node_id: job.nodeId, error: errorMessage(error) }, 'schedule: the run could not start');
      })
      .finally(() => {
        entry.running--;
      });
  }
}
