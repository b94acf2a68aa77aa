import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('date functions', () => {
  it('now() is ISO text in UTC', () => {
    const before = Date.now();
    const now = ev('now()') as string;
    assert.match(now, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(now) - before) < 5_000);
  });

  it('date() and time() of now, of a value, and in a time zone', () => {
    assert.match(ev('date()') as string, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(ev('time()') as string, /^\d{2}:\d{2}:\d{2}$/);
    assert.equal(ev('date()'), new Date().toISOString().slice(0, 10));
    assert.equal(ev('date("2024-05-01T23:30:00Z")'), '2024-05-01');
    assert.equal(ev('date("2024-05-01T23:30:00Z", timezone="Asia/Tokyo")'), '2024-05-02');
    assert.equal(ev('date(value=1714608000)'), '2024-05-02');
    assert.equal(ev('time("2024-05-01T08:05:09Z")'), '08:05:09');
    assert.equal(ev('time("2024-05-01T08:05:09Z", "America/New_York")'), '04:05:09');
    assert.equal(ev('time("2024-05-01T10:00:00+02:00")'), '08:00:00');
  });

  it('timestamp() in seconds by default, milliseconds on request', () => {
    assert.equal(ev('timestamp("2024-01-01T00:00:00Z")'), 1704067200);
    assert.equal(ev('timestamp("2024-01-01T00:00:00.250Z", unit="ms")'), 1704067200250);
    assert.equal(ev('timestamp(1704067200000)'), 1704067200);
    assert.ok(Math.abs((ev('timestamp()') as number) - Date.now() / 1000) < 5);
    fails('timestamp(unit="h")', /expects unit to be "s" or "ms"/);
  });

  it('format_date with tokens, literals and time zones', () => {
    const at = '"2024-03-05T14:07:09.045Z"';
    assert.equal(ev(`format_date(${at})`), '2024-03-05 14:07:09');
    assert.equal(ev(`format_date(${at}, "YYYY-MM-DD")`), '2024-03-05');
    assert.equal(ev(`format_date(${at}, "YY M D H m s SSS")`), '24 3 5 14 7 9 045');
    assert.equal(ev(`format_date(${at}, "dddd ddd MMMM MMM")`), 'Tuesday Tue March Mar');
    assert.equal(ev(`format_date(${at}, "hh:mm A h a")`), '02:07 PM 2 pm');
    assert.equal(ev(`format_date(${at}, "[Today is] D.M.")`), 'Today is 5.3.');
    assert.equal(ev(`format_date(${at}, "Z ZZ")`), '+00:00 +0000');
    assert.equal(ev(`format_date(${at}, "X x")`), '1709647629 1709647629045');
    assert.equal(ev(`format_date(${at}, "HH:mm Z", timezone="Europe/Berlin")`), '15:07 +01:00');
    assert.equal(ev(`format_date(${at}, "HH:mm Z", timezone="Asia/Kolkata")`), '19:37 +05:30');
    assert.equal(ev(`format_date(${at}, "YYYY-MM-DD HH:mm ZZ", timezone="America/Los_Angeles")`), '2024-03-05 06:07 -0800');
    assert.equal(ev('format_date(value="2024-07-01T12:00:00Z", format="HH:mm Z", timezone="Europe/Berlin")'), '14:00 +02:00');
    assert.equal(ev('format_date("2024-05-01 10:00", "HH:mm")'), '10:00');
    assert.equal(ev('format_date("Wed, 01 May 2024 10:00:00 GMT", "YYYY-MM-DD HH:mm")'), '2024-05-01 10:00');
    fails('format_date("2024-01-01", timezone="Mars/Base")', /does not know the time zone "Mars\/Base"/);
    fails('format_date("yesterday")', /cannot read "yesterday" as a date/);
    fails('format_date("2024-02-30")', /expects value to be a real date/);
    fails('format_date(null)', /expects value to be a date/);
  });

  it('add_days keeps date-only values date-only', () => {
    assert.equal(ev('add_days("2024-02-28", 2)'), '2024-03-01');
    assert.equal(ev('add_days("2024-03-01", -1)'), '2024-02-29');
    assert.equal(ev('add_days("2024-03-01T10:00:00Z", 1)'), '2024-03-02T10:00:00.000Z');
    assert.equal(ev('add_days(value="2024-03-01", days=0.5)'), '2024-03-01T12:00:00.000Z');
    fails('add_days("2024-03-01", "2")', /expects days to be a number/);
  });

  it('diff_days counts whole days from start to end', () => {
    assert.equal(ev('diff_days("2024-03-01", "2024-02-01")'), 29);
    assert.equal(ev('diff_days("2024-02-01", "2024-03-01")'), -29);
    assert.equal(ev('diff_days(end="2024-01-02T23:00:00Z", start="2024-01-01T00:00:00Z")'), 1);
    assert.equal(ev('diff_days(date(), date())'), 0);
    fails('diff_days("x", "2024-01-01")', /diff_days\(\): cannot read "x" as a date/);
  });
});
