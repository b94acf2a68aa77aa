/**
 * A schedule_trigger's config as a schedule: `interval` is a fixed period from the last run,
 * `daily`, `weekly` and `cron` are cron patterns (a sixth, leading field gives seconds) read in
 * the trigger's timezone. Bad config is reported with the field's path.
 */
import { Cron } from 'croner';
import { applyConfigFields } from '../nodes/config-check.js';
import { scheduleTrigger } from '../nodes/core/triggers/schedule-trigger.js';
import { SkynetteError, errorMessage } from '../util/errors.js';
import type { WorkflowNode } from '../workflow/model.js';

export interface ScheduleConfig {
  schedule_type: 'interval' | 'daily' | 'weekly' | 'cron';
  interval_minutes: number;
  time: string;
  day_of_week: 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
  cron?: string;
  timezone: string;
  allow_overlap: boolean;
  catch_up: boolean;
}

export type ScheduleSpec =
  | { kind: 'interval'; periodMs: number; config: ScheduleConfig }
  | { kind: 'cron'; pattern: string; timezone: string; config: ScheduleConfig };

const WEEKDAY_NUMBER: Record<ScheduleConfig['day_of_week'], number> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};

function invalid(path: string, message: string): SkynetteError {
  return new SkynetteError('INVALID_CONFIG', `${path}: ${message}`, { path, details: [{ path, message }] });
}

function checkTimezone(timezone: string, path: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw invalid(`${path}.timezone`, `"${timezone}" is not a time zone; use a name such as UTC or Europe/Berlin`);
  }
}

function parseTime(time: string, path: string): { hour: number; minute: number } {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  const hour = m ? Number(m[1]) : NaN;
  const minute = m ? Number(m[2]) : NaN;
  if (!m || hour > 23 || minute > 59) throw invalid(`${path}.time`, `"${time}" is not a time of day; write it as HH:MM, e.g. 09:30`);
  return { hour, minute };
}

/** The schedule of one schedule_trigger node; `path` is where its config sits, e.g. nodes[0].config. */
export function scheduleSpec(node: WorkflowNode, path = 'config'): ScheduleSpec {
  const config = applyConfigFields<ScheduleConfig>(scheduleTrigger.fields, node.config, path);
  checkTimezone(config.timezone, path);
  switch (config.schedule_type) {
    case 'interval':
      return { kind: 'interval', periodMs: config.interval_minutes * 60_000, config };
    case 'daily': {
      const { hour, minute } = parseTime(config.time, path);
      return { kind: 'cron', pattern: `0 ${minute} ${hour} * * *`, timezone: config.timezone, config };
    }
    case 'weekly': {
      const { hour, minute } = parseTime(config.time, path);
      return { kind: 'cron', pattern: `0 ${minute} ${hour} * * ${WEEKDAY_NUMBER[config.day_of_week]}`, timezone: config.timezone, config };
    }
    case 'cron': {
      const pattern = config.cron?.trim();
      if (!pattern) throw invalid(`${path}.cron`, 'a cron expression is required when schedule_type is cron, e.g. "0 9 * * 1-5"');
      const fields = pattern.split(/\s+/).length;
      if (fields !== 5 && fields !== 6 && !pattern.startsWith('@')) {
        throw invalid(`${path}.cron`, `"${pattern}" has ${fields} fields; a cron expression has 5 (minute hour day month weekday) or 6 (with seconds first)`);
      }
      try {
        new Cron(pattern, { timezone: config.timezone, paused: true, mode: '5-or-6-parts' }).stop();
      } catch (error) {
        throw invalid(`${path}.cron`, `"${pattern}" is not a valid cron expression: ${errorMessage(error)}`);
      }
      return { kind: 'cron', pattern, timezone: config.timezone, config };
    }
  }
}

/** The next `count` run times after `from`; an interval counts from `anchor` (its last run). */
export function nextRunTimes(spec: ScheduleSpec, count: number, from: Date, anchor?: Date): Date[] {
  if (spec.kind === 'cron') {
    const cron = new Cron(spec.pattern, { timezone: spec.timezone, paused: true, mode: '5-or-6-parts' });
    try {
      return cron.nextRuns(count, from);
    } finally {
      cron.stop();
    }
  }
  const times: Date[] = [];
  let next = firstIntervalRun(spec.periodMs, from, anchor);
  for (let i = 0; i < count; i++) {
    times.push(new Date(next));
    next += spec.periodMs;
  }
  return times;
}

/** The first run of an interval after `from`, keeping the rhythm of `anchor` when there is one. */
export function firstIntervalRun(periodMs: number, from: Date, anchor?: Date): number {
  const now = from.getTime();
  if (!anchor) return now + periodMs;
  const start = anchor.getTime();
  if (start + periodMs > now) return start + periodMs;
  return start + (Math.floor((now - start) / periodMs) + 1) * periodMs;
}

/** The latest time the schedule should have run in (after, until]; null when none. */
export function missedRun(spec: ScheduleSpec, after: Date, until: Date): Date | null {
  if (after.getTime() >= until.getTime()) return null;
  if (spec.kind === 'interval') {
    const due = after.getTime() + spec.periodMs;
    if (due > until.getTime()) return null;
    return new Date(after.getTime() + Math.floor((until.getTime() - after.getTime()) / spec.periodMs) * spec.periodMs);
  }
  const cron = new Cron(spec.pattern, { timezone: spec.timezone, paused: true, mode: '5-or-6-parts' });
  try {
    const [previous] = cron.previousRuns(1, until);
    return previous && previous.getTime() > after.getTime() ? previous : null;
  } finally {
    cron.stop();
  }
}
