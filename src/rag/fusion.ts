/**
 * Reciprocal rank fusion: each list contributes 1 / (k + rank) for every chunk it ranks (rank from 1),
 * so a chunk found by both indexes rises, and neither index's score scale matters. k = 60 as in
 * Cormack, Clarke and Büttcher (2009).
 */
import type { RankedChunk } from './stores/types.js';

export const DEFAULT_RRF_K = 60;

export interface FusedChunk {
  chunk_id: number;
  score: number;
  vector?: { rank: number; similarity: number };
  keyword?: { rank: number; score: number };
}

export function reciprocalRankFusion(vector: RankedChunk[], keyword: RankedChunk[], k = DEFAULT_RRF_K): FusedChunk[] {
  const fused = new Map<number, FusedChunk>();
  const entry = (id: number) => {
    let found = fused.get(id);
    if (!found) {
      found = { chunk_id: id, score: 0 };
      fused.set(id, found);
    }
    return found;
  };
  vector.forEach((hit, i) => {
    const e = entry(hit.chunk_id);
    e.score += 1 / (k + i + 1);
    e.vector = { rank: i + 1, similarity: hit.score };
  });
  keyword.forEach((hit, i) => {
    const e = entry(hit.chunk_id);
    e.score += 1 / (k + i + 1);
    e.keyword = { rank: i + 1, score: hit.score };
  });
  // Ties (same ranks in swapped lists) go to the better vector rank, then the lower chunk id, so results are stable.
  return [...fused.values()].sort((a, b) => b.score - a.score || (a.vector?.rank ?? Infinity) - (b.vector?.rank ?? Infinity) || a.chunk_id - b.chunk_id);
}
