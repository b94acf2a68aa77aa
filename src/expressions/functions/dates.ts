import { fault } from '../fault.js';
import { defineFunctions } from './define.js';
import { number, text } from './coerce.js';
import { DAY_MS, formatDate, isDateOnly, isoText, parseDate } from './date-support.js';

function moment(value: unknown, param: string): number {
  return value === null || value === undefined ? Date.now() : parseDate(value, param);
}

export const dateFunctions = defineFunctions({
  now: {
    params: '',
    description: 'The current time as ISO text in UTC.',
    example: 'now() → "2024-05-01T12:30:00.000Z"',
    call: () => new Date().toISOString(),
  },
  date: {
    params: 'value=null, timezone="UTC"',
    description: 'The date part "YYYY-MM-DD" of value (default: now) in the time zone.',
    example: 'date("2024-05-01T23:30:00Z", timezone="Asia/Tokyo") → "2024-05-02"',
    call: ([value, zone]) => formatDate(moment(value, 'value'), 'YYYY-MM-DD', text(zone, 'timezone')),
  },
  time: {
    params: 'value=null, timezone="UTC"',
    description: 'The time part "HH:mm:ss" (24-hour) of value (default: now) in the time zone.',
    example: 'time("2024-05-01T08:05:09Z") → "08:05:09"',
    call: ([value, zone]) => formatDate(moment(value, 'value'), 'HH:mm:ss', text(zone, 'timezone')),
  },
  timestamp: {
    params: 'value=null, unit="s"',
    description: 'Unix time of value (default: now) in whole seconds, or in milliseconds with unit="ms".',
    example: 'timestamp("2024-01-01T00:00:00Z") → 1704067200',
    call([value, unit]) {
      const ms = moment(value, 'value');
      const u = text(unit, 'unit');
      if (u === 'ms') return ms;
      if (u !== 's') fault('expects unit to be "s" or "ms"');
      return Math.floor(ms / 1000);
    },
  },
  format_date: {
    params: 'value, format="YYYY-MM-DD HH:mm:ss", timezone="UTC"',
    description:
      'Writes a date with tokens YYYY YY MMMM MMM MM M DD D dddd ddd HH H hh h mm m ss s SSS A a Z ZZ X x; text in [brackets] is kept as is. timezone is an IANA name such as "Europe/Berlin".',
    example: 'format_date("2024-05-01T12:00:00Z", "D MMM YYYY, HH:mm", timezone="Europe/Berlin") → "1 May 2024, 14:00"',
    call: ([value, format, zone]) => formatDate(parseDate(value, 'value'), text(format, 'format'), text(zone, 'timezone')),
  },
  add_days: {
    params: 'value, days',
    description:
      'The date moved by days (may be negative or fractional). A "YYYY-MM-DD" value gives a "YYYY-MM-DD" result; other values give ISO text in UTC.',
    example: 'add_days("2024-02-28", 2) → "2024-03-01"',
    call([value, days]) {
      const ms = parseDate(value, 'value') + number(days, 'days') * DAY_MS;
      const iso = isoText(ms);
      return isDateOnly(value) && Number.isInteger(number(days, 'days')) ? iso.slice(0, 10) : iso;
    },
  },
  diff_days: {
    params: 'end, start',
    description: 'Whole days from start to end (end minus start, dropping any part day); negative when end is earlier.',
    example: 'diff_days("2024-03-01", "2024-02-01") → 29',
    call: ([end, start]) => Math.trunc((parseDate(end, 'end') - parseDate(start, 'start')) / DAY_MS) + 0,
  },
});
