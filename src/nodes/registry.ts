/**
 * Every node type Skynette knows, by type id (and by the older ids in `aliases`).
 * Node groups export their list from their folder's index; this file only gathers them.
 */
import type { RegisteredNode } from './sdk.js';
import { triggerNodes } from './core/triggers/index.js';
import { flowNodes } from './core/flow/index.js';
import { httpNodes } from './core/http/index.js';
import { fileNodes } from './core/files/index.js';
import { codeNodes } from './core/code/index.js';
import { databaseNodes } from './core/database/index.js';
import { ragNodes } from './rag/index.js';
import { aiNodes } from './ai/index.js';

export const allNodes: RegisteredNode[] = [
  ...triggerNodes,
  ...flowNodes,
  ...httpNodes,
  ...fileNodes,
  ...codeNodes,
  ...databaseNodes,
  ...aiNodes,
  ...ragNodes,
];

const byType = new Map<string, RegisteredNode>();

function index(node: RegisteredNode): void {
  for (const id of [node.type, ...(node.aliases ?? [])]) {
    if (byType.has(id)) throw new Error(`node type "${id}" is declared twice`);
    byType.set(id, node);
  }
}
for (const node of allNodes) index(node);

/** Adds a node type at run time (tests, plugins). */
export function registerNode(node: RegisteredNode): void {
  index(node);
  allNodes.push(node);
}

export function findNode(type: string): RegisteredNode | undefined {
  return byType.get(type);
}

export function knownNodeTypes(): string[] {
  return allNodes.map((n) => n.type);
}

/** The known type id closest to a mistyped one, for "did you mean" hints. */
export function closestNodeType(type: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const wanted = type.toLowerCase().replace(/[-_ ]/g, '');
  for (const id of byType.keys()) {
    const d = editDistance(wanted, id.toLowerCase().replace(/[-_ ]/g, ''));
    if (d < bestDistance) {
      bestDistance = d;
      best = findNode(id)?.type;
    }
  }
  return bestDistance <= Math.max(3, Math.floor(type.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
