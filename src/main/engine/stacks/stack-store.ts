import { CatalogStore } from '../catalog/catalog.js';
import { VectorStore } from '../index/vector-store.js';
import type { PhotoRow } from '../library/photo-store.js';
import type { PhotoLook } from '../media/look.js';
import type { GroupingPhoto } from './grouping.js';

/** How the stacks were last built: for the model's vectors up to log position `seq`, looks measured before `at` (ms), leaving `rows` stack rows. */
export interface StacksBuild {
  model: string;
  seq: number;
  at: number;
  rows: number;
}

/** A photo of a stack with what choosing its best shot needs. */
export interface StackMemberRow {
  stack_id: number;
  id: number;
  path: string;
  hash: string | null;
  size: number;
  width: number | null;
  height: number | null;
  sharpness: number | null;
}

/** How photos look (perceptual hashes, sharpness) and the near-duplicate stacks built from them. */
export class StackStore extends CatalogStore {
  /** Inside the caller's transaction. */
  storeLook(photoId: number, hash: string, look: PhotoLook): void {
    this.sql('INSERT OR REPLACE INTO photo_looks (photo_id, hash, phash, inner_phash, sharpness, measured_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      photoId,
      hash,
      look.phash,
      look.inner,
      look.sharpness,
      Date.now(),
    );
  }

  /** Stores the look of a photo's content `hash`, unless the photo changed meanwhile (false then). */
  recordLook(photoId: number, hash: string, look: PhotoLook): boolean {
    return this.catalog.transaction(() => {
      if (!this.sql('SELECT 1 FROM photos WHERE id = ? AND hash IS ?').get(photoId, hash)) return false;
      this.storeLook(photoId, hash, look);
      return true;
    });
  }

  /** Indexed photos without a look of their current content (indexed before looks existed), in id order. */
  photosWithoutLook(limit: number, afterId = 0): PhotoRow[] {
    return this.sql(
      `SELECT * FROM photos WHERE id > ? AND status = 'indexed' AND hash IS NOT NULL AND media = 'photo'
         AND NOT EXISTS (SELECT 1 FROM photo_looks l WHERE l.photo_id = photos.id AND l.hash = photos.hash) ORDER BY id LIMIT ?`,
    ).all(afterId, limit) as PhotoRow[];
  }

  /** Indexed photos with and without a look of their current content (videos have none). */
  lookCounts(): { done: number; missing: number } {
    return this.sql(
      `SELECT coalesce(sum(l.photo_id IS NOT NULL), 0) AS done, coalesce(sum(l.photo_id IS NULL), 0) AS missing
         FROM photos p LEFT JOIN photo_looks l ON l.photo_id = p.id AND l.hash = p.hash WHERE p.status = 'indexed' AND p.hash IS NOT NULL AND p.media = 'photo'`,
    ).get() as { done: number; missing: number };
  }

  /** The look of a photo's current content (undefined: none yet). */
  look(photoId: number): PhotoLook | undefined {
    return this.sql('SELECT l.phash, l.inner_phash AS inner, l.sharpness FROM photo_looks l JOIN photos p ON p.id = l.photo_id AND p.hash = l.hash WHERE l.photo_id = ?').get(
      photoId,
    ) as PhotoLook | undefined;
  }

  /** Every indexed photo with its content fingerprint and, when it has one for that content, its perceptual hash: what grouping reads. */
  groupingRows(): GroupingPhoto[] {
    return this.sql(
      `SELECT p.id, p.hash, l.phash, l.inner_phash AS inner, p.width, p.height FROM photos p LEFT JOIN photo_looks l ON l.photo_id = p.id AND l.hash = p.hash
         WHERE p.status = 'indexed' AND p.hash IS NOT NULL ORDER BY p.id`,
    ).all() as GroupingPhoto[];
  }

  /** What the stacks were last built from (null: never built). */
  stacksBuiltFrom(): string | null {
    return (this.sql(`SELECT value FROM meta WHERE key = 'stacks'`).pluck().get() as string | undefined) ?? null;
  }

  /**
   * What stacks would be built from now for `model`: its vectors (the log position), and the photos' looks
   * and fingerprints. When it equals `stacksBuiltFrom`, the stacks are current.
   */
  stacksSource(model: string): string {
    const looks = this.sql(`SELECT count(*) || ':' || total(sharpness) || ':' || total(photo_id) FROM photo_looks`).pluck().get() as string;
    const photos = this.sql(`SELECT count(*) || ':' || total(id) FROM photos WHERE status = 'indexed'`).pluck().get() as string;
    return `${model}|${new VectorStore(this.catalog).lastVectorSeq()}|${looks}|${photos}`;
  }

  /** Photos whose vector of `model` changed after log position `afterSeq`, or whose look was measured at `since` or later. */
  changedSinceStacks(model: string, afterSeq: number, since: number): Set<number> {
    const vectors = this.sql('SELECT DISTINCT photo_id FROM vector_log WHERE model = ? AND seq > ?').pluck().all(model, afterSeq) as number[];
    const looks = this.sql('SELECT photo_id FROM photo_looks WHERE measured_at >= ?').pluck().all(since) as number[];
    return new Set([...vectors, ...looks]);
  }

  /** Every stack of two photos or more, as lists of photo ids. */
  stackGroups(): number[][] {
    const groups = new Map<number, number[]>();
    for (const r of this.sql('SELECT stack_id, photo_id FROM stacks ORDER BY stack_id, photo_id').all() as Array<{ stack_id: number; photo_id: number }>) {
      const g = groups.get(r.stack_id);
      if (g) g.push(r.photo_id);
      else groups.set(r.stack_id, [r.photo_id]);
    }
    return [...groups.values()].filter((g) => g.length > 1);
  }

  stackRowCount(): number {
    return this.sql('SELECT count(*) FROM stacks').pluck().get() as number;
  }

  /**
   * Replaces every stack by `groups` (each a list of photo ids; the stack is named by its smallest id), in
   * one transaction, with what they were built from (`builtFrom`, as `stacksSource` says it) and when
   * (the model, the vector log position and the time the build began, for the next incremental build).
   */
  replaceStacks(groups: ReadonlyArray<readonly number[]>, builtFrom: string, build: { model: string; seq: number; at: number } = { model: '', seq: 0, at: 0 }): void {
    const insert = this.sql('INSERT OR IGNORE INTO stacks (photo_id, stack_id) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM photos WHERE id = ?)');
    this.catalog.transaction(() => {
      this.sql('DELETE FROM stacks').run();
      for (const group of groups) {
        const stackId = Math.min(...group);
        for (const id of group) insert.run(id, stackId, id);
      }
      const record: StacksBuild = { ...build, rows: this.stackRowCount() };
      this.sql(`INSERT OR REPLACE INTO meta (key, value) VALUES ('stacks', ?), ('stacks_build', ?)`).run(builtFrom, JSON.stringify(record));
    });
  }

  /** How the stacks were last built (null: never). */
  stacksBuild(): StacksBuild | null {
    const value = this.sql(`SELECT value FROM meta WHERE key = 'stacks_build'`).pluck().get() as string | undefined;
    return value ? (JSON.parse(value) as StacksBuild) : null;
  }

  /**
   * The stack of each of these photos that still holds two photos or more: its id and size. Each stack
   * is counted once, however many of its photos are asked about (a search asks about its whole pool:
   * counting per photo costs seconds for a pool inside one large stack).
   */
  stacksOf(ids: readonly number[]): Map<number, { stackId: number; size: number }> {
    const rows = this.sql(
      `WITH asked AS (SELECT s.photo_id, s.stack_id FROM json_each(?) j JOIN stacks s ON s.photo_id = j.value),
              sizes AS (SELECT stack_id, count(*) AS size FROM stacks WHERE stack_id IN (SELECT stack_id FROM asked) GROUP BY stack_id)
         SELECT asked.photo_id, asked.stack_id, sizes.size FROM asked JOIN sizes USING (stack_id)`,
    ).all(JSON.stringify(ids)) as Array<{ photo_id: number; stack_id: number; size: number }>;
    return new Map(rows.filter((r) => r.size > 1).map((r) => [r.photo_id, { stackId: r.stack_id, size: r.size }]));
  }

  /** The photos of stacks that hold two or more (one stack, or all), with what choosing a best shot needs. */
  stackMembers(stackId?: number): StackMemberRow[] {
    return this.sql(
      `SELECT s.stack_id, p.id, p.path, p.hash, p.size, p.width, p.height, l.sharpness FROM stacks s JOIN photos p ON p.id = s.photo_id
         LEFT JOIN photo_looks l ON l.photo_id = p.id AND l.hash = p.hash
         WHERE (@stack IS NULL OR s.stack_id = @stack) AND s.stack_id IN (SELECT stack_id FROM stacks GROUP BY stack_id HAVING count(*) > 1)
         ORDER BY s.stack_id, p.id`,
    ).all({ stack: stackId ?? null }) as StackMemberRow[];
  }
}
