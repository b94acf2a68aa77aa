/**
 * Metrics in the Prometheus text exposition format (version 0.0.4): counters, gauges and
 * histograms with labels, plus process metrics. Small on purpose: recording a value on the webhook
 * hot path is a Map lookup and an addition.
 */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

type LabelValues = readonly string[];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(names: readonly string[], values: LabelValues, extra?: string): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private readonly series = new Map<string, { labels: LabelValues; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  inc(labels: LabelValues = [], by = 1): void {
    const key = labels.join('\u0001');
    const found = this.series.get(key);
    if (found) found.value += by;
    else this.series.set(key, { labels: [...labels], value: by });
  }

  get(labels: LabelValues = []): number {
    return this.series.get(labels.join('\u0001'))?.value ?? 0;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const s of this.series.values()) out += `${this.name}${labelText(this.labelNames, s.labels)} ${formatNumber(s.value)}\n`;
    return out;
  }
}

export class Gauge implements Metric {
  private readonly series = new Map<string, { labels: LabelValues; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    private readonly collect?: () => number,
  ) {}

  set(value: number, labels: LabelValues = []): void {
    const key = labels.join('\u0001');
    const found = this.series.get(key);
    if (found) found.value = value;
    else this.series.set(key, { labels: [...labels], value });
  }

  render(): string {
    if (this.collect) this.set(this.collect());
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n`;
    for (const s of this.series.values()) out += `${this.name}${labelText(this.labelNames, s.labels)} ${formatNumber(s.value)}\n`;
    return out;
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: LabelValues; counts: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: LabelValues = []): void {
    const key = labels.join('\u0001');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: [...labels], counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    s.sum += value;
    s.count++;
    const buckets = this.buckets;
    for (let i = 0; i < buckets.length; i++) {
      if (value <= buckets[i]) {
        s.counts[i]++;
        break;
      }
    }
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i];
        out += `${this.name}_bucket${labelText(this.labelNames, s.labels, `le="${formatNumber(le)}"`)} ${cumulative}\n`;
      });
      out += `${this.name}_bucket${labelText(this.labelNames, s.labels, 'le="+Inf"')} ${s.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, s.labels)} ${formatNumber(s.sum)}\n`;
      out += `${this.name}_count${labelText(this.labelNames, s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const NODE_SECONDS_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300];

function openFileDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return NaN;
  }
}

/** Skynette's metrics, one set per server. */
export class ServerMetrics {
  readonly executions = new Counter('skynette_executions_total', 'Finished executions by workflow, status and how they were started.', ['workflow_id', 'workflow', 'status', 'mode']);
  readonly executionDuration = new Histogram('skynette_execution_duration_seconds', 'Execution duration from start to final status.', ['workflow_id', 'workflow'], SECONDS_BUCKETS);
  readonly nodeDuration = new Histogram('skynette_node_duration_seconds', 'Duration of one node run (all attempts).', ['node_type', 'status'], NODE_SECONDS_BUCKETS);
  readonly webhookRequests = new Counter('skynette_webhook_requests_total', 'Webhook requests by HTTP status answered.', ['code']);
  readonly resumed = new Counter('skynette_executions_resumed_total', 'Interrupted executions resumed at start.');
  readonly scheduleRuns = new Counter('skynette_schedule_runs_total', 'Schedule firings by outcome (started, skipped_overlap, catch_up).', ['workflow_id', 'outcome']);
  readonly running: Gauge;
  private readonly startTime = Date.now() / 1000;
  private readonly loopDelay: IntervalHistogram;
  private readonly all: Metric[];

  constructor(runningExecutions: () => number) {
    this.running = new Gauge('skynette_executions_running', 'Executions running now in this process.', [], runningExecutions);
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
    const memory = () => process.memoryUsage();
    this.all = [
      this.executions,
      this.executionDuration,
      this.nodeDuration,
      this.webhookRequests,
      this.running,
      this.resumed,
      this.scheduleRuns,
      new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [], () => process.memoryUsage.rss()),
      new Gauge('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', [], () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      }),
      new Gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch in seconds.', [], () => this.startTime),
      new Gauge('process_open_fds', 'Number of open file descriptors.', [], openFileDescriptors),
      new Gauge('nodejs_heap_used_bytes', 'V8 heap in use in bytes.', [], () => memory().heapUsed),
      new Gauge('nodejs_heap_total_bytes', 'V8 heap allocated in bytes.', [], () => memory().heapTotal),
      new Gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects in bytes.', [], () => memory().external),
      new Gauge('nodejs_eventloop_lag_p99_seconds', 'Event loop delay, 99th percentile since the last scrape, in seconds.', [], () => {
        const p99 = this.loopDelay.percentile(99) / 1e9;
        this.loopDelay.reset();
        return Number.isFinite(p99) ? p99 : 0;
      }),
    ];
  }

  render(): string {
    return this.all.map((m) => m.render()).join('');
  }

  stop(): void {
    this.loopDelay.disable();
  }
}
