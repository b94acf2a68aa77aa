/**
 * What the scheduler must remember across restarts, for catch-up: per schedule trigger, since when
 * it is active and when it last fired. Kept in `<data dir>/schedules.json`, written atomically.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface TriggerState {
  /** When the schedule was activated (runs before it are never caught up). */
  since: string;
  last_run?: string;
}

type StateFile = Record<string, Record<string, TriggerState>>;

export class ScheduleState {
  private data: StateFile;

  constructor(private readonly file: string | null) {
    this.data = file ? load(file) : {};
  }

  get(workflowId: string, nodeId: string): TriggerState | undefined {
    return this.data[workflowId]?.[nodeId];
  }

  /** Starts tracking a trigger (keeps what is known about it unless `fresh`). */
  track(workflowId: string, nodeId: string, now: Date, fresh: boolean): TriggerState {
    const byNode = (this.data[workflowId] ??= {});
    if (fresh || !byNode[nodeId]) byNode[nodeId] = { since: now.toISOString() };
    this.save();
    return byNode[nodeId];
  }

  /** Forgets the triggers of a workflow that are not in `keep`. */
  prune(workflowId: string, keep: ReadonlySet<string>): void {
    const byNode = this.data[workflowId];
    if (!byNode) return;
    for (const nodeId of Object.keys(byNode)) if (!keep.has(nodeId)) delete byNode[nodeId];
    if (Object.keys(byNode).length === 0) delete this.data[workflowId];
    this.save();
  }

  recordRun(workflowId: string, nodeId: string, at: Date): void {
    const byNode = (this.data[workflowId] ??= {});
    const state = (byNode[nodeId] ??= { since: at.toISOString() });
    state.last_run = at.toISOString();
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    writeFileAtomic(this.file, JSON.stringify(this.data, null, 2) + '\n', 0o600);
  }
}

function load(file: string): StateFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as StateFile) : {};
  } catch {
    // A damaged file only costs catch-up runs; the schedules themselves come from the workflows.
    return {};
  }
}
