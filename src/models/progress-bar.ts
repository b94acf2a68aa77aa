/**
 * A progress bar on stderr for long CLI work (adding documents, downloading models). On a terminal
 * it redraws one line; otherwise (CI logs, pipes) it prints a line at each quarter, so logs stay short.
 */
export interface ProgressBarOptions {
  label: string;
  total: number;
  /** `bytes` shows sizes; `items` shows counts. */
  unit?: 'bytes' | 'items';
  stream?: NodeJS.WriteStream;
  width?: number;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private lastDraw = 0;
  private lastQuarter = -1;
  private done = 0;
  private detail = '';
  private finished = false;

  constructor(private readonly options: ProgressBarOptions) {
    this.stream = options.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY) && !process.env.CI;
  }

  setTotal(total: number): void {
    this.options.total = total;
  }

  update(done: number, detail = ''): void {
    this.done = done;
    this.detail = detail;
    const total = this.options.total;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 80 && done < total) return;
      this.lastDraw = now;
      this.stream.write(`\r\u001b[2K${this.line(fraction)}`);
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter > this.lastQuarter) {
      this.lastQuarter = quarter;
      this.stream.write(`${this.line(fraction)}\n`);
    }
  }

  finish(message?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.tty) {
      this.update(this.options.total, this.detail);
      this.stream.write('\n');
    } else if (this.lastQuarter < 4) {
      this.lastQuarter = 3;
      this.update(this.options.total, this.detail);
    }
    if (message) this.stream.write(`${message}\n`);
  }

  private line(fraction: number): string {
    const width = this.options.width ?? 24;
    const filled = Math.round(fraction * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const amount =
      this.options.unit === 'bytes' ? `${formatSize(this.done)}/${formatSize(this.options.total)}` : `${this.done}/${this.options.total}`;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const detail = this.detail ? ` ${this.detail.length > 60 ? `…${this.detail.slice(-59)}` : this.detail}` : '';
    return `${this.options.label} ${bar} ${percent} ${amount}${detail}`;
  }
}
