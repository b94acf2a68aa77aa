import { SkynetteError } from '../../../util/errors.js';
import { defineNode, field, route } from '../../sdk.js';
import { compareValues, comparisonOperators, isTruthy, type ComparisonOperator } from './compare.js';

interface SwitchCase {
  /** Output port of this case; default case_<n>. */
  port?: string;
  /** value mode: the value compared with the switch value. */
  value?: unknown;
  operator?: ComparisonOperator;
  /** condition mode: a condition, usually {{ ... }}. */
  condition?: unknown;
}

interface SwitchConfig {
  mode: 'value' | 'condition';
  value?: unknown;
  cases: SwitchCase[];
}

function casePorts(config: Record<string, unknown>): string[] {
  const cases = Array.isArray(config.cases) ? (config.cases as unknown[]) : [];
  return cases.map((c, i) => (c && typeof c === 'object' && typeof (c as SwitchCase).port === 'string' ? (c as SwitchCase).port! : `case_${i}`));
}

export const switchNode = defineNode<SwitchConfig>({
  type: 'switch',
  name: 'Switch',
  description: 'Sends its input to the port of the first case that matches, else to "default".',
  category: 'flow',
  replayable: true,
  outputs: ['default'],
  outputsFor: (config) => [...casePorts(config), 'default'],
  fields: {
    mode: field.select(['value', 'condition'], {
      default: 'value',
      description: 'value: compare `value` with each case value; condition: each case has its own condition',
    }),
    value: field.expression({ description: 'the value to switch on (value mode)', show_if: { mode: ['value'] } }),
    cases: field.json({
      shape: 'array',
      required: true,
      description: 'list of cases: {port, value, operator} in value mode, {port, condition} in condition mode',
    }),
  },
  run(ctx) {
    const { config } = ctx;
    const ports = casePorts(config as unknown as Record<string, unknown>);
    for (let i = 0; i < config.cases.length; i++) {
      const c = config.cases[i];
      if (!c || typeof c !== 'object') throw new SkynetteError('INVALID_CONFIG', `config.cases[${i}]: expected a case mapping such as {port: high, value: 10}`);
      const operator = c.operator ?? 'equals';
      if (!comparisonOperators.includes(operator)) {
        throw new SkynetteError('INVALID_CONFIG', `config.cases[${i}].operator: unknown operator "${operator}"; expected one of ${comparisonOperators.join(', ')}`);
      }
      const matched = config.mode === 'condition' ? isTruthy(c.condition) : compareValues(config.value, operator, c.value);
      if (matched) return route(ports[i], ctx.input);
    }
    return route('default', ctx.input);
  },
});
