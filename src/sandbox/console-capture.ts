/**
 * Collects the guest's console lines with hard caps, so a chatty or hostile script cannot grow the
 * host's memory or the execution record without bound.
 */
export type SandboxLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SandboxLogLine {
  level: SandboxLogLevel;
  message: string;
}

export interface ConsoleLimits {
  maxLines: number;
  maxLineChars: number;
  maxTotalChars: number;
}

export const DEFAULT_CONSOLE_LIMITS: ConsoleLimits = {
  maxLines: 1000,
  maxLineChars: 10_000,
  maxTotalChars: 100_000,
};

const LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);

export class ConsoleCapture {
  readonly lines: SandboxLogLine[] = [];
  private totalChars = 0;
  private dropped = 0;

  constructor(private readonly limits: ConsoleLimits = DEFAULT_CONSOLE_LIMITS) {}

  /** Records one line; returns false once the caps are reached (the guest then stops formatting). */
  write(level: string, text: string): boolean {
    if (this.dropped > 0 || this.lines.length >= this.limits.maxLines || this.totalChars >= this.limits.maxTotalChars) {
      this.dropped++;
      return false;
    }
    let message = text;
    const room = Math.min(this.limits.maxLineChars, this.limits.maxTotalChars - this.totalChars);
    if (message.length > room) message = `${message.slice(0, room)}… (${message.length - room} more characters cut)`;
    this.totalChars += message.length;
    this.lines.push({ level: LEVELS.has(level) ? (level as SandboxLogLevel) : 'info', message });
    return true;
  }

  /** The captured lines, ending with a note when some were dropped. */
  result(): SandboxLogLine[] {
    if (this.dropped === 0) return this.lines;
    return [
      ...this.lines,
      {
        level: 'warn',
        message: `console output cut: limit of ${this.limits.maxLines} lines or ${this.limits.maxTotalChars} characters reached`,
      },
    ];
  }
}
