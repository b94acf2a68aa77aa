import type { RegisteredNode } from '../sdk.js';
import { ragAnswerNode } from './rag-answer.js';
import { ragIngestNode } from './rag-ingest.js';
import { ragQueryNode } from './rag-query.js';

export const ragNodes: RegisteredNode[] = [ragIngestNode, ragQueryNode, ragAnswerNode];
