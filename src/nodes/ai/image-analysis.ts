/** ai-image-analysis: a question about an image (describe, read text, check contents) to a vision model. */
import { defineNode, field } from '../sdk.js';
import { gatewayOf, logFallback, modelFields, requestBase, resultOutput, type ModelConfig } from './common.js';
import { readImageInput } from './image-input.js';

interface ImageAnalysisConfig extends ModelConfig {
  image: unknown;
  prompt: string;
  system_prompt?: string;
}

export const aiImageAnalysisNode = defineNode<ImageAnalysisConfig>({
  type: 'ai-image-analysis',
  name: 'AI: analyze image',
  description: 'Asks a vision model about an image: a file path, URL, data URL, base64 or a file object from read_file.',
  category: 'ai',
  fields: {
    image: field.expression({ required: true, placeholder: '{{ $prev.file }}', description: 'a path, an http(s) URL, a data: URL, base64, or {data_base64 | path, content_type}' }),
    prompt: field.text({ default: 'Describe this image in detail.', description: 'what to ask about the image' }),
    system_prompt: field.text(),
    ...modelFields(),
  },
  async run(ctx) {
    const { config } = ctx;
    const image = await readImageInput(config.image, ctx.signal);
    const gateway = await gatewayOf(ctx);
    const result = await gateway.chat({
      ...requestBase(ctx, config),
      capability: 'IMAGE_ANALYSIS',
      messages: [
        ...(config.system_prompt ? [{ role: 'system' as const, content: config.system_prompt }] : []),
        { role: 'user', content: [{ type: 'text', text: config.prompt }, image] },
      ],
    });
    logFallback(ctx, result);
    return { text: result.text, ...resultOutput(result) };
  },
});
