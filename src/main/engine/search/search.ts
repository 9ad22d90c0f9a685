import type { SearchResponse } from '../../../shared/api.js';
import type { Catalog } from '../catalog/catalog.js';
import type { VectorIndex } from '../index/vector-index.js';
import type { ModelPack } from '../models/pack.js';
import { gather } from './candidates.js';
import { fuseAndCut } from './fusion.js';
import { type SearchRequest, understand } from './query.js';
import { buildResults, page } from './results.js';

export { CANDIDATE_POOL, readTextMatches, wordsTogether } from './candidates.js';
export { type ParsedQuery, type SearchRequest, parseQuery } from './query.js';

/**
 * A search, stage by stage: understand the query (concepts, a time, phrases and terms, filters, the
 * query vector) -> gather candidates (visual and video moments, concepts, a time, keywords, read text)
 * -> fuse them by rank and cut off the irrelevant -> the page asked for -> results that say why.
 */
export async function search(catalog: Catalog, pack: ModelPack, index: VectorIndex, request: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  const query = await understand(catalog, pack, index, request);
  const candidates = gather(catalog, index, query);
  const { ids, hidden } = fuseAndCut(query, candidates, pack.manifest);
  const shown = page(catalog, query, candidates, ids);
  const results = buildResults(catalog, pack.id, query, candidates, shown);
  return {
    results,
    total: shown.total,
    videos: shown.videos,
    hidden,
    tookMs: Math.round((performance.now() - started) * 10) / 10,
    ...(query.taken ? { taken: query.taken } : {}),
    ...(query.concepts.some((c) => c.person !== undefined)
      ? { people: query.concepts.flatMap((c) => (c.person === undefined ? [] : [{ id: c.person, name: c.name, without: c.without ?? query.request.query }])) }
      : {}),
    ...(query.parts.length > 0
      ? {
          understood: query.parts.map((p) => ({
            kind: p.kind,
            label: p.label,
            text: p.text.trim(),
            without: p.without,
            ambiguous: p.ambiguous === true,
            ...(p.kind === 'person' ? { id: p.person } : p.kind === 'concept' ? { id: p.concept } : {}),
          })),
        }
      : {}),
    ...(query.emptied && results.length === 0
      ? { emptied: query.emptied.message, ...(query.emptied.instead && query.emptied.instead !== request.query.trim() ? { instead: query.emptied.instead } : {}) }
      : {}),
    ...(query.unknown ? { unknownWords: query.unknown } : {}),
  };
}
