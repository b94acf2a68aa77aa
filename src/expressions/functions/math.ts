import { charge } from '../budget.js';
import { fault } from '../fault.js';
import { MAX_RANGE_SIZE, formatCount } from '../limits.js';
import { describe } from '../values.js';
import { defineFunctions } from './define.js';
import { integer, number } from './coerce.js';
import { compareValues } from './lists.js';

/** min(1, 2, 3) and min([1, 2, 3]) mean the same, as in Python. */
function spread(values: unknown): unknown[] {
  const list = values as unknown[];
  return list.length === 1 && Array.isArray(list[0]) ? (list[0] as unknown[]) : list;
}

function numbers(values: unknown): number[] {
  const list = spread(values);
  charge(list.length);
  return list.map((v, i) => {
    if (typeof v !== 'number') fault(`expects numbers, got ${describe(v)} at position ${i}`);
    return v;
  });
}

function extreme(values: unknown, sign: 1 | -1): unknown {
  const list = spread(values);
  charge(list.length);
  if (list.length === 0) return null;
  const kind = typeof list[0];
  if (kind !== 'number' && kind !== 'string') fault(`expects numbers or text, got ${describe(list[0])}`);
  let best = list[0];
  for (const v of list) {
    if (typeof v !== kind) fault(`expects all numbers or all text, got ${describe(list[0])} and ${describe(v)}`);
    if (sign * compareValues(v, best) < 0) best = v;
  }
  return best;
}

function roundHalfAway(value: number, digits: number): number {
  const factor = 10 ** digits;
  const scaled = Math.abs(value) * factor;
  // Numbers this large have no digits left to round at that position.
  if (!Number.isFinite(scaled) || scaled >= Number.MAX_SAFE_INTEGER) return value;
  // The epsilon nudge makes 1.005 round to 1.01 as written, not as its binary approximation.
  const rounded = Math.round(scaled * (1 + Number.EPSILON)) / factor;
  return (value < 0 ? -rounded : rounded) + 0;
}

export const mathFunctions = defineFunctions({
  abs: {
    params: 'value',
    description: 'The number without its sign.',
    example: 'abs(-4.5) → 4.5',
    call: ([value]) => Math.abs(number(value, 'value')),
  },
  round: {
    params: 'value, digits=0',
    description: 'Rounds to digits decimal places (negative digits round to tens, hundreds...); halves round away from zero.',
    example: 'round(3.14159, digits=2) → 3.14',
    call([value, digits]) {
      const places = integer(digits, 'digits');
      if (places < -15 || places > 15) fault('expects digits between -15 and 15');
      return roundHalfAway(number(value, 'value'), places);
    },
  },
  floor: {
    params: 'value',
    description: 'The largest whole number not above the value.',
    example: 'floor(2.7) → 2',
    call: ([value]) => Math.floor(number(value, 'value')),
  },
  ceil: {
    params: 'value',
    description: 'The smallest whole number not below the value.',
    example: 'ceil(2.1) → 3',
    call: ([value]) => Math.ceil(number(value, 'value')) + 0,
  },
  min: {
    params: '...values',
    description: 'The smallest of the values, given one by one or as one list; null for none.',
    example: 'min(4, 2, 8) → 2',
    call: ([values]) => extreme(values, 1),
  },
  max: {
    params: '...values',
    description: 'The largest of the values, given one by one or as one list; null for none.',
    example: 'max([4, 2, 8]) → 8',
    call: ([values]) => extreme(values, -1),
  },
  sum: {
    params: '...values',
    description: 'The total of the numbers, given one by one or as one list; 0 for none.',
    example: 'sum([1, 2, 3.5]) → 6.5',
    call([values]) {
      const total = numbers(values).reduce((a, b) => a + b, 0);
      if (!Number.isFinite(total)) fault('the total is too large to be a number');
      return total;
    },
  },
  avg: {
    params: '...values',
    description: 'The mean of the numbers, given one by one or as one list; null for none.',
    example: 'avg([1, 2, 3, 4]) → 2.5',
    call([values]) {
      const list = numbers(values);
      if (list.length === 0) return null;
      const mean = list.reduce((a, b) => a + b, 0) / list.length;
      if (!Number.isFinite(mean)) fault('the numbers are too large to average');
      return mean;
    },
  },
  range: {
    params: 'start, stop=null, step=1',
    description: `Numbers from start up to (not including) stop, counting by step; range(n) counts 0 to n-1. At most ${formatCount(MAX_RANGE_SIZE)} numbers.`,
    example: 'range(0, 10, 3) → [0,3,6,9]',
    call([start, stop, step]) {
      let from = number(start, 'start');
      let to: number;
      if (stop === null || stop === undefined) {
        to = from;
        from = 0;
      } else {
        to = number(stop, 'stop');
      }
      const by = number(step, 'step');
      if (by === 0) fault('expects step to be non-zero');
      const size = Math.max(0, Math.ceil((to - from) / by));
      if (size > MAX_RANGE_SIZE) {
        fault(`would produce ${formatCount(size)} numbers; the limit is ${formatCount(MAX_RANGE_SIZE)}`);
      }
      charge(size);
      const out = new Array<number>(size);
      for (let i = 0; i < size; i++) out[i] = from + i * by;
      return out;
    },
  },
});
