/**
 * ai-image-generation: images from a prompt (DALL-E through the openai provider). Each image is
 * written under the execution's data folder and returned as a file reference (filename,
 * content_type, size, path), the shape read_file's binary output and multipart uploads use.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineNode, field } from '../sdk.js';
import { callContext, gatewayOf, logFallback, PROVIDER_CHOICES, usageOf } from './common.js';

interface ImageGenerationConfig {
  prompt: string;
  size: string;
  quality: 'standard' | 'hd';
  n: number;
  include_base64: boolean;
  provider: string;
  model?: string;
  timeout_ms?: number;
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80) || 'node';
}

export const aiImageGenerationNode = defineNode<ImageGenerationConfig>({
  type: 'ai-image-generation',
  name: 'AI: generate image',
  description: 'Generates images from a prompt (DALL-E 3 by default) and saves them as files of the execution.',
  category: 'ai',
  fields: {
    prompt: field.text({ required: true, placeholder: 'A watercolor fox in the snow' }),
    size: field.select(['1024x1024', '1792x1024', '1024x1792', '512x512', '256x256'], { default: '1024x1024' }),
    quality: field.select(['standard', 'hd'], { default: 'standard' }),
    n: field.number({ integer: true, min: 1, max: 10, default: 1, description: 'how many images (DALL-E 3 makes one per call)' }),
    include_base64: field.boolean({ default: false, description: 'also put the image bytes in the output as data_base64' }),
    provider: field.select(PROVIDER_CHOICES, { default: 'auto' }),
    model: field.string({ description: 'dall-e-3 (default), dall-e-2, or another image model id' }),
    timeout_ms: field.number({ integer: true, min: 100 }),
  },
  async run(ctx) {
    const { config } = ctx;
    const gateway = await gatewayOf(ctx);
    const result = await gateway.generateImage({
      prompt: config.prompt,
      size: config.size,
      quality: config.quality,
      n: config.n,
      provider: config.provider !== 'auto' ? config.provider : undefined,
      model: config.model?.trim() || undefined,
      timeout_ms: config.timeout_ms,
      signal: ctx.signal,
      context: callContext(ctx),
      onWarning: (message) => ctx.log.warn(message),
    });
    logFallback(ctx, result);
    const folder = join(ctx.dataDir, 'ai-images', safeName(ctx.execution.id));
    await mkdir(folder, { recursive: true });
    const images = [];
    for (const [index, image] of result.images.entries()) {
      const bytes = Buffer.from(image.data_base64, 'base64');
      const extension = image.media_type === 'image/jpeg' ? 'jpg' : image.media_type === 'image/webp' ? 'webp' : 'png';
      const filename = `${safeName(ctx.node.id)}-${Date.now()}-${index + 1}.${extension}`;
      const path = join(folder, filename);
      await writeFile(path, bytes);
      images.push({
        filename,
        content_type: image.media_type,
        size: bytes.length,
        path,
        ...(image.revised_prompt ? { revised_prompt: image.revised_prompt } : {}),
        ...(config.include_base64 ? { data_base64: image.data_base64 } : {}),
      });
    }
    return {
      image: images[0],
      images,
      provider: result.provider,
      model: result.model,
      usage: usageOf(result.usage, result.cost_usd),
      ...(result.tried.length ? { tried: result.tried } : {}),
    };
  },
});
