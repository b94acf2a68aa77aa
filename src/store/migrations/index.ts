/**
 * Every schema change, oldest first. To change the schema, add a file `NNN_what.ts` exporting a
 * StoreMigration and append it here; never edit one that has shipped.
 */
import { initial } from './001_initial.js';
import { aiGateway } from './002_ai_gateway.js';
import { knowledgeBases } from './003_knowledge_bases.js';
import type { StoreMigration } from './types.js';

export type { StoreMigration } from './types.js';

export const migrations: readonly StoreMigration[] = [initial, aiGateway, knowledgeBases];
