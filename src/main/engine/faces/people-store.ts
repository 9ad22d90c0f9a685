import { CatalogStore } from '../catalog/catalog.js';
import { personKey } from '../../../shared/person-name.js';
import { VERDICT_MATCHES_FACE } from './face-store.js';
import type { PersonChoice } from './grouping.js';

export interface PersonRow {
  id: number;
  name: string | null;
  name_key: string | null;
  hidden: number;
  cover_face_id: number | null;
  created_at: number;
  updated_at: number;
}

/** A person as listed: how many faces and photos, and the face that shows them. */
export interface PersonSummary extends PersonRow {
  faces: number;
  photos: number;
  /** The cover the user chose, or their clearest face. */
  cover: number | null;
}

/**
 * People: the grouping's (unnamed, made and dropped by regroups) and the user's (named, hidden, a cover
 * chosen), and the user's verdicts on faces ("this is Anna", "not Anna"), kept by the photo and the
 * face's centre in it so they outlive the faces being found again.
 */
export class PeopleStore extends CatalogStore {
  person(id: number): PersonRow | undefined {
    return this.sql('SELECT * FROM people WHERE id = ?').get(id) as PersonRow | undefined;
  }

  /** Every person with faces or a name (or just `id`); the clearest face is the largest, most frontal one. */
  people(id?: number): PersonSummary[] {
    return this.sql(
      `SELECT p.*, count(f.id) AS faces, count(DISTINCT f.photo_id) AS photos,
         coalesce((SELECT id FROM faces WHERE id = p.cover_face_id AND person_id = p.id),
                  (SELECT id FROM faces WHERE person_id = p.id ORDER BY by_user DESC, frontal * min(side, 160) DESC, id LIMIT 1)) AS cover
         FROM people p LEFT JOIN faces f ON f.person_id = p.id WHERE ? IS NULL OR p.id = ? GROUP BY p.id ORDER BY p.name IS NULL, p.name_key, faces DESC, p.id`,
    ).all(id ?? null, id ?? null) as PersonSummary[];
  }

  /** The people whose name key is `key`. */
  byKey(key: string): PersonRow[] {
    return this.sql('SELECT * FROM people WHERE name_key = ?').all(key) as PersonRow[];
  }

  /** Named people (for finding names in a query). */
  named(): PersonRow[] {
    return this.sql('SELECT * FROM people WHERE name IS NOT NULL ORDER BY name_key').all() as PersonRow[];
  }

  /** The photos a person is in (ids), newest first. */
  photosOf(personId: number): number[] {
    return this.sql(`SELECT DISTINCT p.id FROM faces f JOIN photos p ON p.id = f.photo_id WHERE f.person_id = ? ORDER BY p.taken_at IS NULL, p.taken_at DESC, p.id DESC`)
      .pluck()
      .all(personId) as number[];
  }

  /** The people in each of these photos (named first), for results and the viewer. */
  peopleIn(photoIds: readonly number[]): Map<number, Array<{ id: number; name: string | null }>> {
    const rows = this.sql(
      `SELECT DISTINCT f.photo_id AS photo, p.id, p.name FROM faces f JOIN people p ON p.id = f.person_id
         WHERE f.photo_id IN (SELECT value FROM json_each(?)) AND p.hidden = 0 ORDER BY p.name IS NULL, p.name_key, p.id`,
    ).all(JSON.stringify(photoIds)) as Array<{ photo: number; id: number; name: string | null }>;
    const out = new Map<number, Array<{ id: number; name: string | null }>>();
    for (const r of rows) out.set(r.photo, [...(out.get(r.photo) ?? []), { id: r.id, name: r.name }]);
    return out;
  }

  /**
   * Applies a grouping of the faces up to id `groupedThrough`: each face's person, new people made for `{ found: k }`; unnamed people left
   * without a face (and untouched by the user) are dropped. One transaction.
   */
  applyGrouping(choices: ReadonlyMap<number, PersonChoice>, groupedThrough: number): { made: number; dropped: number } {
    return this.catalog.transaction(() => {
      // Faces up to this id have been grouped: those after it are new to the next grouping (face-store.ts).
      this.sql(`INSERT INTO meta (key, value) VALUES ('faces_grouped_through', ?) ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value)`).run(
        String(groupedThrough),
      );
      const now = Date.now();
      const made = new Map<number, number>();
      const set = this.sql('UPDATE faces SET person_id = ? WHERE id = ? AND by_user = 0');
      for (const [face, choice] of choices) {
        let person: number | null;
        if (choice === null || typeof choice === 'number') person = choice;
        else {
          person = made.get(choice.found) ?? null;
          if (person === null) {
            person = Number(this.sql('INSERT INTO people (created_at, updated_at) VALUES (?, ?)').run(now, now).lastInsertRowid);
            made.set(choice.found, person);
          }
        }
        set.run(person, face);
      }
      const dropped = this.sql(
        `DELETE FROM people WHERE name IS NULL AND hidden = 0 AND cover_face_id IS NULL AND NOT EXISTS (SELECT 1 FROM faces WHERE person_id = people.id)
           AND NOT EXISTS (SELECT 1 FROM face_verdicts WHERE person_id = people.id AND verdict = 'is')`,
      ).run().changes;
      return { made: made.size, dropped };
    });
  }

  /**
   * Names a person (null: unnamed again). Naming vouches for the faces the person has: each becomes the
   * user's ("this is Anna"), so the name finds them again after a regroup or the faces being found again.
   */
  rename(id: number, name: string | null): void {
    this.catalog.transaction(() => {
      this.sql('UPDATE people SET name = ?, name_key = ?, updated_at = ? WHERE id = ?').run(name, name === null ? null : personKey(name), Date.now(), id);
      if (name !== null) this.vouchFor(id);
    });
  }

  /** Every face of the person becomes the user's: an 'is' verdict kept by the photo and the face's centre. */
  private vouchFor(id: number): void {
    const now = Date.now();
    this.sql(
      `INSERT OR REPLACE INTO face_verdicts (photo_id, hash, cx, cy, person_id, verdict, at)
         SELECT photo_id, hash, round(x + w / 2, 4), round(y + h / 2, 4), ?, 'is', ? FROM faces WHERE person_id = ?`,
    ).run(id, now, id);
    this.sql('UPDATE faces SET by_user = 1 WHERE person_id = ?').run(id);
  }

  setHidden(id: number, hidden: boolean): void {
    this.sql('UPDATE people SET hidden = ?, updated_at = ? WHERE id = ?').run(hidden ? 1 : 0, Date.now(), id);
  }

  setCover(id: number, faceId: number): void {
    this.sql('UPDATE people SET cover_face_id = ?, updated_at = ? WHERE id = ?').run(faceId, Date.now(), id);
  }

  /**
   * `from` is `into`: its faces and the user's verdicts move over (and become the user's word, so no
   * regroup parts them again), its name is kept when `into` has none, and `from` leaves.
   */
  merge(into: number, from: number): void {
    this.catalog.transaction(() => {
      const source = this.person(from)!;
      const target = this.person(into)!;
      this.sql('UPDATE faces SET person_id = ? WHERE person_id = ?').run(into, from);
      this.sql(`UPDATE OR REPLACE face_verdicts SET person_id = ? WHERE person_id = ?`).run(into, from);
      this.vouchFor(into);
      if (target.name === null && source.name !== null) this.sql('UPDATE people SET name = ?, name_key = ? WHERE id = ?').run(source.name, source.name_key, into);
      if (target.hidden === 0 && source.hidden === 1 && target.name === null) this.sql('UPDATE people SET hidden = 1 WHERE id = ?').run(into);
      this.sql('DELETE FROM people WHERE id = ?').run(from);
      this.sql('UPDATE people SET updated_at = ? WHERE id = ?').run(Date.now(), into);
    });
  }

  /** Deletes the verdicts on one face (of its photo, whose point lies in its box): of every kind for `person`, and every 'is'. */
  private clearVerdicts(faceId: number, personId: number): void {
    this.sql(`DELETE FROM face_verdicts AS v WHERE EXISTS (SELECT 1 FROM faces f WHERE f.id = ? AND ${VERDICT_MATCHES_FACE}) AND (v.verdict = 'is' OR v.person_id = ?)`).run(
      faceId,
      personId,
    );
  }

  /** Records a verdict on a face, at its centre (rounded as every verdict is). */
  private addVerdict(faceId: number, personId: number, verdict: 'is' | 'not'): void {
    this.sql(
      `INSERT OR REPLACE INTO face_verdicts (photo_id, hash, cx, cy, person_id, verdict, at) SELECT photo_id, hash, round(x + w / 2, 4), round(y + h / 2, 4), ?, ?, ? FROM faces WHERE id = ?`,
    ).run(personId, verdict, Date.now(), faceId);
  }

  /** "This face is not that person": the face leaves the person and never comes back to them. */
  reject(faceId: number, personId: number): void {
    this.catalog.transaction(() => {
      this.clearVerdicts(faceId, personId);
      this.addVerdict(faceId, personId, 'not');
      this.sql('UPDATE faces SET person_id = CASE WHEN person_id = ? THEN NULL ELSE person_id END, by_user = 0 WHERE id = ?').run(personId, faceId);
      this.sql('UPDATE people SET cover_face_id = NULL WHERE id = ? AND cover_face_id = ?').run(personId, faceId);
    });
  }

  /** "This face is that person" (the user's word: it stays with them through every regroup). */
  assign(faceId: number, personId: number): void {
    this.catalog.transaction(() => {
      this.clearVerdicts(faceId, personId);
      this.addVerdict(faceId, personId, 'is');
      this.sql('UPDATE faces SET person_id = ?, by_user = 1 WHERE id = ?').run(personId, faceId);
    });
  }

  /** A new person, named (for "this face is someone new: Ben"). */
  create(name: string | null): number {
    const now = Date.now();
    return Number(
      this.sql('INSERT INTO people (name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?)').run(name, name === null ? null : personKey(name), now, now).lastInsertRowid,
    );
  }

  /**
   * A person read back from a damaged catalogue (recovery): the restored catalogue's person with that
   * id, or with that name, takes the damaged file's name and hidden mark when it changed them later;
   * otherwise the person is made again with their id. The person's id here.
   */
  restorePerson(p: { id: number; name: string | null; key: string | null; hidden: boolean; updatedAt: number }): number {
    const same = this.person(p.id) ?? (p.key ? this.byKey(p.key)[0] : undefined);
    if (!same) {
      this.sql('INSERT INTO people (id, name, name_key, hidden, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        p.id,
        p.name,
        p.key,
        p.hidden ? 1 : 0,
        p.updatedAt,
        p.updatedAt,
      );
      return p.id;
    }
    if (same.updated_at < p.updatedAt && (p.name !== null || p.hidden))
      this.sql('UPDATE people SET name = coalesce(?, name), name_key = coalesce(?, name_key), hidden = ?, updated_at = ? WHERE id = ?').run(
        p.name,
        p.key,
        p.hidden ? 1 : 0,
        p.updatedAt,
        same.id,
      );
    return same.id;
  }

  /** A verdict read back from a damaged catalogue (recovery); a later verdict on the same face and person stands. */
  restoreVerdict(v: { photoId: number; hash: string; cx: number; cy: number; personId: number; verdict: 'is' | 'not'; at: number }): void {
    this.sql(
      `INSERT INTO face_verdicts (photo_id, hash, cx, cy, person_id, verdict, at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (photo_id, cx, cy, person_id) DO UPDATE SET verdict = excluded.verdict, hash = excluded.hash, at = excluded.at WHERE excluded.at > face_verdicts.at`,
    ).run(v.photoId, v.hash, v.cx, v.cy, v.personId, v.verdict, v.at);
  }

  /** Applies every verdict to the faces found (after verdicts were restored): placed faces join their person, rejected ones leave. */
  applyVerdicts(): void {
    this.catalog.transaction(() => {
      this.sql(`UPDATE faces AS f SET person_id = NULL, by_user = 0 FROM face_verdicts v WHERE v.verdict = 'not' AND f.person_id = v.person_id AND ${VERDICT_MATCHES_FACE}`).run();
      this.sql(`UPDATE faces AS f SET person_id = v.person_id, by_user = 1 FROM face_verdicts v WHERE v.verdict = 'is' AND ${VERDICT_MATCHES_FACE}`).run();
    });
  }

  /** Forgets the grouping (every face unsorted, unnamed people gone); with `names`, the user's people and verdicts too. */
  forget(names: boolean): void {
    this.catalog.transaction(() => {
      if (names) {
        this.sql('DELETE FROM face_verdicts').run();
        this.sql('DELETE FROM people').run();
      } else this.sql('DELETE FROM people WHERE name IS NULL AND hidden = 0 AND cover_face_id IS NULL').run();
    });
  }
}
