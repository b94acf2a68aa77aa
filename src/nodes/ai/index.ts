/** The AI nodes, all on the AI gateway (src/ai). */
import type { RegisteredNode } from '../sdk.js';
import { aiAgentNode } from './agent.js';
import { aiChatNode } from './chat.js';
import { aiClassifyNode } from './classify.js';
import { aiCodeGenerationNode } from './code-generation.js';
import { aiEmbeddingsNode } from './embeddings.js';
import { aiExtractNode } from './extract.js';
import { aiImageAnalysisNode } from './image-analysis.js';
import { aiImageGenerationNode } from './image-generation.js';
import { aiSummarizeNode } from './summarize.js';
import { aiTextGenerationNode } from './text-generation.js';

export const aiNodes: RegisteredNode[] = [
  aiTextGenerationNode,
  aiChatNode,
  aiSummarizeNode,
  aiExtractNode,
  aiClassifyNode,
  aiEmbeddingsNode,
  aiImageGenerationNode,
  aiImageAnalysisNode,
  aiCodeGenerationNode,
  aiAgentNode,
];

export {
  aiAgentNode,
  aiChatNode,
  aiClassifyNode,
  aiCodeGenerationNode,
  aiEmbeddingsNode,
  aiExtractNode,
  aiImageAnalysisNode,
  aiImageGenerationNode,
  aiSummarizeNode,
  aiTextGenerationNode,
};
