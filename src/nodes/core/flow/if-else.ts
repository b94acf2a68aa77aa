import { SkynetteError } from '../../../util/errors.js';
import { defineNode, field, route } from '../../sdk.js';
import { compareValues, comparisonOperators, isTruthy, type ComparisonOperator } from './compare.js';
import { conditionTemplate } from './condition-text.js';

interface IfElseConfig {
  condition_type: 'expression' | 'comparison' | 'boolean';
  expression?: string;
  left_value?: unknown;
  operator: ComparisonOperator;
  right_value?: unknown;
  boolean_value?: unknown;
}

export const ifElse = defineNode<IfElseConfig>({
  type: 'if_else',
  name: 'If/Else',
  description: 'Sends its input to the "true" or the "false" port, by an expression, a comparison or a value.',
  category: 'flow',
  replayable: true,
  outputs: ['true', 'false'],
  fields: {
    condition_type: field.select(['expression', 'comparison', 'boolean'], { default: 'expression' }),
    expression: field.expression({
      raw: true,
      placeholder: '{{ $prev.status }} == 200',
      description: 'a condition such as {{ $prev.status == 200 }} or {{$prev.status}} == 200',
      show_if: { condition_type: ['expression'] },
    }),
    left_value: field.expression({ show_if: { condition_type: ['comparison'] } }),
    operator: field.select([...comparisonOperators], { default: 'equals', show_if: { condition_type: ['comparison'] } }),
    right_value: field.expression({ show_if: { condition_type: ['comparison'] } }),
    boolean_value: field.expression({ show_if: { condition_type: ['boolean'] } }),
  },
  run(ctx) {
    const { config } = ctx;
    let result: boolean;
    if (config.condition_type === 'comparison') result = compareValues(config.left_value, config.operator, config.right_value);
    else if (config.condition_type === 'boolean') result = isTruthy(config.boolean_value);
    else {
      if (typeof config.expression !== 'string' || config.expression.trim() === '') {
        throw new SkynetteError('INVALID_CONFIG', `config.expression: if_else in expression mode needs a condition, such as {{ $prev.status == 200 }}`);
      }
      result = isTruthy(ctx.evaluate(conditionTemplate(config.expression), undefined, 'expression'));
    }
    return route(result ? 'true' : 'false', ctx.input);
  },
});
