import { SkynetteError } from '../../../util/errors.js';
import { defineNode, field } from '../../sdk.js';

interface WaitConfig {
  amount: number;
  unit: 'milliseconds' | 'seconds' | 'minutes' | 'hours';
}

const unitMs = { milliseconds: 1, seconds: 1000, minutes: 60_000, hours: 3_600_000 };

export const wait = defineNode<WaitConfig>({
  type: 'wait',
  name: 'Wait',
  description: 'Pauses the run for a while, then passes its input on. Cancelling the run ends the wait.',
  category: 'flow',
  fields: {
    amount: field.number({ required: true, min: 0, default: 1 }),
    unit: field.select(['milliseconds', 'seconds', 'minutes', 'hours'], { default: 'seconds' }),
  },
  run({ config, input, signal }) {
    const ms = config.amount * unitMs[config.unit];
    if (ms > 24 * 3_600_000) throw new SkynetteError('INVALID_CONFIG', 'config.amount: a wait is limited to 24 hours');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(input);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  },
});
