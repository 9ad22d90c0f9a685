import { type Catalog, CatalogStore } from '../catalog/catalog.js';
import { UNSPACED_SCRIPT } from '../catalog/text-keys.js';
import { pathRange } from '../core/paths.js';
import { favouriteCondition } from '../favourites/favourite-store.js';
import { type PlaceFilter, placeCondition } from '../places/place-store.js';

export interface PhotoFilters {
  folder?: string | undefined;
  after?: string | undefined;
  before?: string | undefined;
  camera?: string | undefined;
  media?: 'photo' | 'video' | undefined;
  /** Only the user's favourites. */
  favourites?: boolean | undefined;
  /** Only photos taken in this country, region or city. */
  place?: PlaceFilter | undefined;
}

/**
 * The filters as SQL conditions on the photos table (`alias`: its name in the query, e.g. 'p.'), with
 * their arguments in order: the one reading of the filters, for search's allowed set and the timeline.
 */
export function filterSql(filters: PhotoFilters, alias = ''): { where: string[]; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filters.folder) {
    // The folder and those below it, as a range of paths the dir index answers (a LIKE pattern is a full scan).
    where.push(`(${alias}dir = ? OR (${alias}dir >= ? AND ${alias}dir < ?))`);
    args.push(filters.folder, ...pathRange(filters.folder));
  }
  if (filters.after) {
    where.push(`${alias}taken_at >= ?`);
    args.push(filters.after);
  }
  if (filters.before) {
    where.push(`${alias}taken_at < ?`);
    args.push(filters.before);
  }
  if (filters.camera) {
    where.push(`${alias}camera LIKE ?`);
    args.push(`%${filters.camera}%`);
  }
  if (filters.media) {
    where.push(`${alias}media = ?`);
    args.push(filters.media);
  }
  if (filters.favourites) where.push(favouriteCondition(`${alias}id`));
  const place = placeCondition(filters.place, `${alias}id`);
  if (place) {
    where.push(place.where);
    args.push(...place.args);
  }
  return { where, args };
}

/** The temporary FTS5 table `matchAmong` copies a few photos' text into. */
const SCRATCH = 'photo_text_scratch';
/** Connections whose scratch table exists (it lives as long as the connection). */
const scratchReady = new WeakSet<Catalog>();
/** The fts5vocab table over photo_text's terms that `termMatch` reads (temporary, one per connection). */
const TERMS = 'photo_text_terms';
const termsReady = new WeakSet<Catalog>();
/** The most tokens one CJK query word expands to (the most frequent first). */
const MAX_EXPANSION = 500;

/** A string as one FTS5 term or phrase. */
const quoted = (value: string) => `"${value.replace(/"/g, '""')}"`;

/** The keyword side of search (FTS5 over captions, album titles and names) and the filters as sets of photo ids. */
export class KeywordStore extends CatalogStore {
  /**
   * The ids of full-text matches, best first: what ranking needs. Highlighting every match of a large
   * library is most of a keyword query's cost, so `keywordHighlights` does it for the page shown only.
   */
  keywordIds(match: string, limit: number): number[] {
    // The match string is built from quoted terms only (search.ts), so FTS5 always parses it: an error
    // here is a real fault and is raised, never turned into "no results".
    return this.sql(`SELECT rowid FROM photo_text WHERE photo_text MATCH ? ORDER BY bm25(photo_text, 3.0, 2.0, 1.0) LIMIT ?`).pluck().all(match, limit) as number[];
  }

  /**
   * The FTS5 expression for one query word (lower case): the word or a word it starts ("beach" finds
   * "beaches"). A word in Chinese or Japanese, which are written without spaces, is looked for inside the
   * table's tokens instead, since one token holds a whole run of such text ("東京タワー", "猫と犬",
   * "2024年東京旅行"): the expression is the tokens that contain it, so "猫" finds "猫と犬" and "東京"
   * finds "東京タワー" but not "京都". No token holds it: an expression that matches nothing.
   */
  termMatch(word: string): string {
    if (!UNSPACED_SCRIPT.test(word)) return `${quoted(word)}*`;
    if (!termsReady.has(this.catalog)) {
      this.catalog.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.${TERMS} USING fts5vocab(main, photo_text, row)`);
      termsReady.add(this.catalog);
    }
    const tokens = this.sql(`SELECT term FROM temp.${TERMS} WHERE instr(term, ?) > 0 ORDER BY doc DESC, term LIMIT ?`).pluck().all(word, MAX_EXPANSION) as string[];
    return tokens.length === 0 ? quoted(word) : `(${tokens.map(quoted).join(' OR ')})`;
  }

  /**
   * Makes `model` the pack whose captions keyword search sees (with the user's own captions); the
   * keyword table follows by trigger. A no-op when it already is.
   */
  setKeywordModel(model: string): void {
    if (this.keywordModel() === model) return;
    this.sql(`INSERT INTO keyword_model (id, model) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET model = excluded.model`).run(model);
  }

  /** The pack whose captions keyword search sees; null until a writer has opened the library. */
  keywordModel(): string | null {
    return (this.sql(`SELECT model FROM keyword_model WHERE id = 1`).pluck().get() as string | undefined) ?? null;
  }

  /** The highlighted columns of those of `ids` that match. */
  keywordHighlights(match: string, ids: readonly number[]): Map<number, { caption: string; album: string; names: string }> {
    const rows = this.matchAmong(
      match,
      ids,
      `highlight(${SCRATCH}, 0, '«', '»') AS caption, highlight(${SCRATCH}, 1, '«', '»') AS album, highlight(${SCRATCH}, 2, '«', '»') AS names`,
    );
    return new Map(rows.map(({ id, ...columns }) => [id, columns as { caption: string; album: string; names: string }]));
  }

  /** Those of `ids` whose text matches. */
  keywordMatchesAmong(match: string, ids: readonly number[]): Set<number> {
    return new Set(this.matchAmong(match, ids, '1').map((r) => r.id));
  }

  /**
   * Photos whose own words match: the caption the user wrote (with the title the user gave its album),
   * or the title the user gave its album alone. Asked over a scratch copy of the user's words only, so a
   * term found only in a generated caption or a file name does not count, and so the cost is what the
   * user wrote, not the library: asking the library's table first (every photo holding the terms
   * somewhere) took 0.5-1.3 s at 100k photos. In id order; at most `limit`.
   */
  ownWordIds(match: string, limit: number): number[] {
    const captioned = this.sql(`SELECT DISTINCT photo_id FROM texts WHERE source = 'user'`).pluck().all() as number[];
    const byCaption = this.matchAmong(match, captioned, '1', 'own').map((r) => r.id);
    const albums = this.sql(`SELECT id FROM albums WHERE user_title IS NOT NULL`).pluck().all() as number[];
    const titled = this.matchAmong(match, albums, '1', 'album').map((r) => r.id);
    const byTitle =
      titled.length === 0
        ? []
        : (this.sql(`SELECT p.id FROM photos p JOIN albums a ON a.dir = p.dir WHERE a.id IN (SELECT value FROM json_each(?)) ORDER BY p.id LIMIT ?`)
            .pluck()
            .all(JSON.stringify(titled), limit) as number[]);
    return [...new Set([...byCaption, ...byTitle])].sort((a, b) => a - b).slice(0, limit);
  }

  /**
   * Matches among a few photos, answered over a scratch copy of their text: a temporary FTS5 table of
   * this connection, made with photo_text's own definition, so it tokenizes and matches alike. Asked of
   * photo_text, a prefix query ("circle"*) expands over every document of the library that holds the
   * prefix, however few photos are wanted; over the copy it costs what the photos cost (docs/PERFORMANCE.md,
   * the cold start of a 100k-photo catalogue).
   */
  private matchAmong(match: string, ids: readonly number[], columns: string, words: 'all' | 'own' | 'album' = 'all'): Array<{ id: number } & Record<string, unknown>> {
    if (ids.length === 0) return [];
    if (!scratchReady.has(this.catalog)) {
      const sql = this.sql(`SELECT sql FROM sqlite_master WHERE name = 'photo_text'`).pluck().get() as string;
      this.catalog.db.exec(sql.replace(/^CREATE VIRTUAL TABLE photo_text USING/i, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.${SCRATCH} USING`));
      scratchReady.add(this.catalog);
    }
    this.catalog.db.exec(`DELETE FROM temp.${SCRATCH}`);
    // Whose text is copied: photos' (all of it, or only the user's words) or albums' user titles (ids are album ids then).
    const fill = {
      all: `SELECT rowid, caption, album, names FROM main.photo_text WHERE rowid IN (SELECT value FROM json_each(?))`,
      own: `SELECT p.id, coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = p.id AND source = 'user'), ''), coalesce((SELECT user_title FROM albums WHERE dir = p.dir), ''), ''
              FROM photos p WHERE p.id IN (SELECT value FROM json_each(?))`,
      album: `SELECT id, '', user_title, '' FROM albums WHERE user_title IS NOT NULL AND id IN (SELECT value FROM json_each(?))`,
    }[words];
    this.sql(`INSERT INTO temp.${SCRATCH} (rowid, caption, album, names) ${fill}`).run(JSON.stringify(ids));
    return this.sql(`SELECT rowid AS id, ${columns} FROM temp.${SCRATCH} WHERE ${SCRATCH} MATCH ?`).all(match) as Array<{ id: number } & Record<string, unknown>>;
  }

  /** Ids of photos that pass the filters, or undefined when there are no filters. */
  filteredIds(filters: PhotoFilters): Set<number> | undefined {
    const { where, args } = filterSql(filters);
    if (where.length === 0) return undefined;
    return new Set(
      this.sql(`SELECT id FROM photos WHERE ${where.join(' AND ')}`)
        .pluck()
        .all(...args) as number[],
    );
  }

  /** Every photo's id (the set a filter that leaves some out starts from). */
  allIds(): Set<number> {
    return new Set(this.sql('SELECT id FROM photos').pluck().all() as number[]);
  }

  /** These photos, newest first by when they were taken (those without a date last, then by id). */
  newestFirst(ids: readonly number[]): number[] {
    return this.sql(`SELECT id FROM photos WHERE id IN (SELECT value FROM json_each(?)) ORDER BY taken_at IS NULL, taken_at DESC, id`).pluck().all(JSON.stringify(ids)) as number[];
  }
}
