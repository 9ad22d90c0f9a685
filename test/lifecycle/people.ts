/**
 * People in the lifecycle model: real face photos among the scenes, the user's verdicts on faces ("this
 * is Ada", "not Ada"), and the invariants checked after every step:
 *
 * - a face belongs to a photo the catalogue holds, and a verdict to a photo and a person it holds (a
 *   deleted photo leaves no face and no verdict behind);
 * - after a completed update, every indexed photo was looked at in its current content, and no face is
 *   of content the photo no longer has;
 * - a face the user placed is with the person they named, whatever regroups happened since; a face they
 *   rejected is never with that person again; the names they gave are still there;
 * - a verdict lasts as long as the photo's content: a file changed since is another picture.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { GlimpseEngine } from '../../src/main/engine/engine.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'faces');
/** Real photos of people (Debian's KPhotoAlbum demo album: SOURCES.md there), one face each mostly. */
const FACE_PHOTOS = ['labelled/jesper/01.jpg', 'labelled/jesper/02.jpg', 'labelled/jesper/05.jpg', 'labelled/jesper/06.jpg', 'labelled/anne-helene/01.jpg'];
const NAMES = ['Ada', 'Bo'] as const;

/** One in this many photos written is a real photo of a person (by its content number). */
export const FACE_EVERY = 3;

/** A real face photo made unique for `content` (one pixel in a corner differs), so no two files are copies of each other. */
export async function facePhoto(content: number): Promise<Buffer> {
  const source = readFileSync(join(FIXTURES, FACE_PHOTOS[content % FACE_PHOTOS.length]!));
  const mark = await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: content % 256, g: (content >> 8) % 256, b: 7 } } })
    .png()
    .toBuffer();
  return sharp(source)
    .composite([{ input: mark, left: 0, top: 0 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** What the user said of a photo's leftmost face, for the content it had then. */
export interface FaceVerdict {
  verdict: 'is' | 'not';
  name: string;
  content: number;
  cx: number;
  cy: number;
}

interface FaceRowView {
  id: number;
  x: number;
  y: number;
  w: number;
  h: number;
  person_id: number | null;
}

function facesOf(e: GlimpseEngine, path: string): FaceRowView[] {
  const photo = e.stores.photos.photoByPath(path);
  if (!photo || !photo.hash) return [];
  return (e.stores.faces.facesOf(photo.id) as FaceRowView[]).filter((f) => (e.stores.faces.face(f.id) as { hash: string }).hash === photo.hash);
}

function nameOf(e: GlimpseEngine, person: number | null): string | null {
  return person === null ? null : (e.stores.people.person(person)?.name ?? null);
}

/** "This is <name>" on the photo's leftmost face; undefined when the engine found no face in it. */
export function nameFace(e: GlimpseEngine, path: string, content: number, draw: number): FaceVerdict | undefined {
  const face = facesOf(e, path)[0];
  if (!face) return undefined;
  const name = NAMES[draw % NAMES.length]!;
  e.assignFace(face.id, { name });
  return { verdict: 'is', name, content, cx: face.x + face.w / 2, cy: face.y + face.h / 2 };
}

/** "Not <name>" on the photo's leftmost face, when it is with a named person; undefined otherwise. */
export function rejectFace(e: GlimpseEngine, path: string, content: number): FaceVerdict | undefined {
  const face = facesOf(e, path)[0];
  const name = face ? nameOf(e, face.person_id) : null;
  if (!face || name === null) return undefined;
  e.rejectFace(face.id, face.person_id!);
  return { verdict: 'not', name, content, cx: face.x + face.w / 2, cy: face.y + face.h / 2 };
}

/**
 * The invariants above. `verdicts`: each photo's path (where the oracle has it now) with the verdict on
 * its face and its current content; `current`: the last step was a completed update.
 */
export function checkPeople(e: GlimpseEngine, verdicts: ReadonlyArray<{ path: string; content: number; verdict: FaceVerdict }>, current: boolean): void {
  const db = e.catalog.db;
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  assert.equal(count('SELECT count(*) FROM faces WHERE photo_id NOT IN (SELECT id FROM photos)'), 0, 'a face belongs to a photo the catalogue holds');
  assert.equal(count('SELECT count(*) FROM face_verdicts WHERE photo_id NOT IN (SELECT id FROM photos)'), 0, "a verdict's photo is in the catalogue");
  assert.equal(count('SELECT count(*) FROM face_verdicts WHERE person_id NOT IN (SELECT id FROM people)'), 0, "a verdict's person is in the catalogue");
  assert.equal(count('SELECT count(*) FROM faces WHERE person_id IS NOT NULL AND person_id NOT IN (SELECT id FROM people)'), 0, "a face's person exists");
  if (current && e.settings.people) {
    assert.equal(
      count(`SELECT count(*) FROM faces f JOIN photos p ON p.id = f.photo_id WHERE f.hash IS NOT p.hash AND p.status = 'indexed'`),
      0,
      'no face of content a photo no longer has',
    );
    const unscanned = count(
      `SELECT count(*) FROM photos p WHERE p.status = 'indexed' AND NOT EXISTS (SELECT 1 FROM face_scans s WHERE s.photo_id = p.id AND s.hash = p.hash)
         AND NOT EXISTS (SELECT 1 FROM offline_dirs o WHERE p.path = o.dir OR substr(p.path, 1, length(o.dir) + 1) = o.dir || '/')`,
    );
    assert.equal(unscanned, 0, 'after an update, every indexed photo was looked at for faces in its current content');
    assert.deepEqual(e.stores.faces.ungroupedFaceIds(), [], 'after an update, every face found has been grouped');
  }
  for (const { path, content, verdict } of verdicts) {
    if (content !== verdict.content) continue;
    const faces = facesOf(e, path);
    const face = faces.find((f) => Math.abs(f.x + f.w / 2 - verdict.cx) <= f.w / 2 && Math.abs(f.y + f.h / 2 - verdict.cy) <= f.h / 2);
    if (verdict.verdict === 'is') {
      assert.ok(
        e.stores.people.named().some((p) => p.name === verdict.name),
        `the name ${verdict.name} the user gave is still there`,
      );
      if (face) assert.equal(nameOf(e, face.person_id), verdict.name, `the face the user named in ${path} is ${verdict.name}'s`);
    } else if (face) assert.notEqual(nameOf(e, face.person_id), verdict.name, `the face in ${path} the user said is not ${verdict.name} never goes back to them`);
  }
}
