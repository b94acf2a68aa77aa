/**
 * Starts and tracks the executions of a server process: persistence by the checkpoint policy,
 * metrics, cancellation, and the graceful stop (wait for running executions, then freeze the
 * rest where they stand so the next start resumes them).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { runWorkflow, toErrorInfo } from '../engine/runner.js';
import type { ExecutionHooks, ExecutionRecord, NodeResult } from '../engine/execution.js';
import type { Workflow } from '../workflow/model.js';
import type { ExecutionStore } from '../store/index.js';
import { SkynetteError, errorMessage } from '../util/errors.js';
import { checkpointPolicyHooks } from './checkpoint-policy.js';
import type { ServerMetrics } from './metrics.js';

export interface StartRequest {
  workflow: Workflow;
  /** How it was started: webhook, webhook-test, schedule, api, retry, resume. */
  mode: string;
  trigger?: unknown;
  triggerNodeId?: string;
  executionId?: string;
  resumeFrom?: ExecutionRecord;
  /** false: nothing of this run is written (settings.save_executions: false). */
  save?: boolean;
  /** Write nothing before the first effectful node or the end (the caller waits for the result). */
  deferCreate?: boolean;
  /** Sees each node as it finishes, after its checkpoint (if any) was written. */
  onNodeFinish?(record: ExecutionRecord, result: NodeResult): void;
  /** Called after each write of this run reached the database. */
  onPersisted?(): void;
}

export interface ExecutionHandle {
  id: string;
  /** Settles once the execution is on disk (at once when it is not saved); rejects when it never could be. */
  accepted: Promise<void>;
  done: Promise<ExecutionRecord>;
}

interface Running {
  id: string;
  workflowId: string;
  mode: string;
  controller: AbortController;
  done: Promise<ExecutionRecord>;
}

export interface ExecutionServiceOptions {
  store: ExecutionStore;
  metrics: ServerMetrics;
  log: Logger;
  dataDir: string;
  getCredential?: (reference: string) => Promise<Record<string, unknown>>;
}

const NEVER = new Promise<never>(() => {});

export class ExecutionService {
  private readonly running = new Map<string, Running>();
  private frozen = false;
  private inFlightWrites = 0;

  constructor(private readonly options: ExecutionServiceOptions) {}

  get runningCount(): number {
    return this.running.size;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  runningIds(): string[] {
    return [...this.running.keys()];
  }

  start(request: StartRequest): ExecutionHandle {
    if (this.frozen) throw new SkynetteError('SHUTTING_DOWN', 'the server is shutting down and starts no new executions');
    const id = request.resumeFrom?.id ?? request.executionId ?? randomUUID();
    const controller = new AbortController();
    const save = request.save !== false;
    let acceptedSettled = false;
    let resolveAccepted!: () => void;
    let rejectAccepted!: (error: unknown) => void;
    const accepted = new Promise<void>((resolve, reject) => {
      resolveAccepted = resolve;
      rejectAccepted = reject;
    });
    // Nobody may be listening (a schedule run); the rejection is reported through the record.
    accepted.catch(() => {});
    let persistedOnce = false;
    const onPersisted = () => {
      persistedOnce = true;
      if (!acceptedSettled) {
        acceptedSettled = true;
        resolveAccepted();
      }
      request.onPersisted?.();
    };
    if (!save || request.deferCreate) {
      acceptedSettled = true;
      resolveAccepted();
    }

    const persistence = save ? checkpointPolicyHooks(this.options.store, { deferCreate: request.deferCreate === true, onPersisted }) : undefined;
    const hooks = this.hooks(persistence, request);
    const done = runWorkflow(request.workflow, {
      executionId: id,
      mode: request.mode,
      trigger: request.trigger,
      triggerNodeId: request.triggerNodeId,
      resumeFrom: request.resumeFrom,
      hooks,
      signal: controller.signal,
      dataDir: this.options.dataDir,
      getCredential: this.options.getCredential,
    }).then(
      (record) => {
        this.running.delete(id);
        if (!acceptedSettled) {
          acceptedSettled = true;
          if (persistedOnce) resolveAccepted();
          else rejectAccepted(new SkynetteError(record.error?.code ?? 'EXECUTION_NOT_SAVED', record.error?.message ?? 'the execution could not be saved'));
        }
        return record;
      },
      async (error: unknown) => {
        // runWorkflow turns node and hook errors into a failed record; what is left is a workflow
        // that does not compile. The run still ends with a final status, saved like any other.
        this.running.delete(id);
        const record = failedRecord(request, id, error);
        if (save) {
          try {
            await this.options.store.finish(record, record.node_results);
            persistedOnce = true;
          } catch (saveError) {
            this.options.log.error({ execution_id: id, error: errorMessage(saveError) }, 'a failed execution could not be saved');
          }
        }
        this.options.metrics.executions.inc([record.workflow_id, record.workflow_name, record.status, record.mode]);
        this.options.log.warn({ execution_id: id, workflow_id: record.workflow_id, error: record.error }, 'execution could not start');
        if (!acceptedSettled) {
          acceptedSettled = true;
          if (persistedOnce) resolveAccepted();
          else rejectAccepted(error);
        }
        return record;
      },
    );
    this.running.set(id, { id, workflowId: request.workflow.id, mode: request.mode, controller, done });
    return { id, accepted, done };
  }

  /** Hooks of one run: persistence, metrics, the caller's observer; frozen runs stop at the next hook. */
  private hooks(persistence: ExecutionHooks | undefined, request: StartRequest): ExecutionHooks {
    const { metrics, log } = this.options;
    const guard = <A extends unknown[]>(fn: ((...args: A) => void | Promise<void>) | undefined) => {
      if (!fn) return (..._args: A): void | Promise<void> => (this.frozen ? NEVER : undefined);
      return (...args: A): void | Promise<void> => {
        if (this.frozen) return NEVER;
        const pending = fn(...args);
        if (!pending) return;
        this.inFlightWrites++;
        return pending.finally(() => {
          this.inFlightWrites--;
        });
      };
    };
    const onNodeStart = guard(persistence?.onNodeStart?.bind(persistence));
    const onNodeFinish = guard(persistence?.onNodeFinish?.bind(persistence));
    const onExecutionStart = guard(persistence?.onExecutionStart?.bind(persistence));
    const onExecutionFinish = guard(persistence?.onExecutionFinish?.bind(persistence));
    const observe = request.onNodeFinish;
    return {
      onExecutionStart,
      onNodeStart,
      onNodeFinish(record, result) {
        if (result.duration_ms !== null) metrics.nodeDuration.observe(result.duration_ms / 1000, [result.node_type, result.status]);
        const pending = onNodeFinish(record, result);
        if (!observe) return pending;
        if (!pending) {
          observe(record, result);
          return;
        }
        return pending.then(() => observe(record, result));
      },
      onExecutionFinish(record) {
        const finished = () => {
          metrics.executions.inc([record.workflow_id, record.workflow_name, record.status, record.mode]);
          if (record.duration_ms !== null) metrics.executionDuration.observe(record.duration_ms / 1000, [record.workflow_id, record.workflow_name]);
          if (record.status === 'failed') {
            log.warn({ execution_id: record.id, workflow_id: record.workflow_id, mode: record.mode, error: record.error }, 'execution failed');
          }
        };
        const pending = onExecutionFinish(record);
        if (!pending) {
          finished();
          return;
        }
        return pending.then(finished);
      },
    };
  }

  /** Cancels a run of this process; false when it is not running here. */
  cancel(id: string): boolean {
    const run = this.running.get(id);
    if (!run) return false;
    run.controller.abort();
    return true;
  }

  /** Resolves with the record once the run ends; undefined when it is not running here. */
  waitFor(id: string): Promise<ExecutionRecord> | undefined {
    return this.running.get(id)?.done;
  }

  /** Waits until no execution runs, or the time is up; true when all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.running.values()].map((r) => r.done)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, left);
        }),
      ]);
      clearTimeout(timer);
    }
    return true;
  }

  /**
   * Stops every run where it stands: no more hooks complete, so nothing more is written and the
   * records stay `running` with every finished node checkpointed. The next start resumes them.
   * Resolves once writes already under way have landed.
   */
  async freeze(timeoutMs = 2000): Promise<string[]> {
    this.frozen = true;
    const deadline = Date.now() + timeoutMs;
    while (this.inFlightWrites > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.runningIds();
  }

  get isFrozen(): boolean {
    return this.frozen;
  }
}

/** The final record of a run that could not start (its workflow does not compile). */
function failedRecord(request: StartRequest, id: string, error: unknown): ExecutionRecord {
  const now = new Date();
  const prior = request.resumeFrom;
  const startedAt = prior?.started_at ?? now.toISOString();
  return {
    id,
    workflow_id: request.workflow.id,
    workflow_name: request.workflow.name,
    workflow_version: request.workflow.version,
    status: 'failed',
    mode: prior?.mode ?? request.mode,
    trigger_data: prior ? prior.trigger_data : (request.trigger ?? {}),
    started_at: startedAt,
    finished_at: now.toISOString(),
    duration_ms: Math.max(0, now.getTime() - Date.parse(startedAt)),
    error: toErrorInfo(error),
    node_results: prior ? prior.node_results : [],
    variables: prior ? prior.variables : { ...request.workflow.variables },
  };
}
