/**
 * Uses the llamacpp provider and ends without closing the gateway: the idle model process must not
 * keep this process alive. Prints the reply. Args: models folder.
 */
import { AiGateway } from '../../src/ai/gateway.js';
import { silentLogger } from '../../src/ai/logger.js';

const gateway = await AiGateway.create({
  logger: silentLogger,
  env: { SKYNETTE_MODELS_DIR: process.argv[2], SKYNETTE_LLAMA_GPU: 'false', SKYNETTE_LLAMA_THREADS: '1' },
});
const reply = await gateway.chat({ messages: [{ role: 'user', content: 'go' }], provider: 'llamacpp', model: 'tiny' });
process.stdout.write(reply.text + '\n');
