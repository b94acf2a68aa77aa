/**
 * Reading dates and writing them in a time zone. Date text is read by our own ISO pattern, not by
 * Date.parse, because Date.parse reads "2024-05-01 10:00" in the machine's local zone, which would
 * make the same workflow give different answers on different servers.
 */
import { fault } from '../fault.js';
import { describe } from '../values.js';

export const DAY_MS = 86_400_000;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Unix timestamps below this are read as seconds, above as milliseconds (1e11 s is the year 5138). */
const SECONDS_THRESHOLD = 1e11;

export function isDateOnly(value: unknown): boolean {
  return typeof value === 'string' && DATE_ONLY.test(value.trim());
}

/** Milliseconds since the epoch for ISO text or a unix timestamp in seconds or milliseconds. */
export function parseDate(value: unknown, param: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fault(`expects ${param} to be a date`);
    return Math.abs(value) < SECONDS_THRESHOLD ? value * 1000 : value;
  }
  if (typeof value !== 'string') {
    fault(`expects ${param} to be a date (ISO text or a unix timestamp), got ${describe(value)}`);
  }
  const trimmed = value.trim();
  const m = ISO.exec(trimmed);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
    const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Math.floor(Number(`0.${frac}`) * 1000));
    const check = new Date(ms);
    if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) {
      fault(`expects ${param} to be a real date, got ${JSON.stringify(value)}`);
    }
    return ms - zoneOffsetMinutes(zone) * 60_000;
  }
  const parsed = Date.parse(trimmed);
  // Only text that names its zone (RFC 2822 "GMT", "+0200") is safe to hand to Date.parse.
  if (!Number.isNaN(parsed) && /(gmt|utc|z|[+-]\d{2}:?\d{2})\s*$/i.test(trimmed)) return parsed;
  fault(
    `cannot read ${JSON.stringify(value)} as a date; use ISO text such as 2024-05-01 or 2024-05-01T12:00:00Z, or a unix timestamp`,
  );
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Minutes east of UTC. */
  offset: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'short',
        era: 'short',
      });
    } catch {
      fault(`does not know the time zone ${JSON.stringify(zone)}; use an IANA name such as "Europe/Berlin" or "UTC"`);
    }
    if (formatters.size >= 100) formatters.clear();
    formatters.set(zone, formatter);
  }
  return formatter;
}

export function zonedParts(ms: number, zone: string): ZonedParts {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) fault('the date is out of range');
  const millisecond = date.getUTCMilliseconds();
  if (zone === 'UTC' || zone === 'Etc/UTC') {
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      millisecond,
      weekday: date.getUTCDay(),
      offset: 0,
    };
  }
  const parts: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(date)) parts[part.type] = part.value;
  let year = Number(parts.year);
  if (parts.era === 'BC') year = 1 - year;
  const fields = {
    year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
  const asUtc = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
  const offset = Math.round((asUtc - (ms - millisecond)) / 60_000);
  return { ...fields, millisecond, weekday: WEEKDAYS.indexOf(parts.weekday), offset };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const TOKENS = /\[([^\]]*)]|YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|HH|H|hh|h|mm|m|ss|s|SSS|A|a|ZZ|Z|X|x/g;

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return sign + pad(Math.floor(abs / 60)) + (colon ? ':' : '') + pad(abs % 60);
}

/** Formats with moment-style tokens; text in [brackets] is written as is. */
export function formatDate(ms: number, pattern: string, zone: string): string {
  const p = zonedParts(ms, zone);
  return pattern.replace(TOKENS, (token: string, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY':
        return (p.year < 0 ? '-' : '') + pad(p.year, 4);
      case 'YY':
        return pad(p.year % 100);
      case 'MMMM':
        return MONTHS[p.month - 1];
      case 'MMM':
        return MONTHS[p.month - 1].slice(0, 3);
      case 'MM':
        return pad(p.month);
      case 'M':
        return String(p.month);
      case 'DD':
        return pad(p.day);
      case 'D':
        return String(p.day);
      case 'dddd':
        return DAYS[p.weekday];
      case 'ddd':
        return DAYS[p.weekday].slice(0, 3);
      case 'HH':
        return pad(p.hour);
      case 'H':
        return String(p.hour);
      case 'hh':
        return pad(p.hour % 12 || 12);
      case 'h':
        return String(p.hour % 12 || 12);
      case 'mm':
        return pad(p.minute);
      case 'm':
        return String(p.minute);
      case 'ss':
        return pad(p.second);
      case 's':
        return String(p.second);
      case 'SSS':
        return pad(p.millisecond, 3);
      case 'A':
        return p.hour < 12 ? 'AM' : 'PM';
      case 'a':
        return p.hour < 12 ? 'am' : 'pm';
      case 'ZZ':
        return offsetText(p.offset, false);
      case 'Z':
        return offsetText(p.offset, true);
      case 'X':
        return String(Math.floor(ms / 1000));
      default:
        return String(ms);
    }
  });
}

/** ISO text with milliseconds and Z, the one form the language writes full timestamps in. */
export function isoText(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) fault('the date is out of range');
  return date.toISOString();
}
