/** What the People views compute from the contract's data: the order people are listed in, a query without a name, a face's crop. */
import type { FaceBox, Person } from '../../shared/api.js';

/** The name a person is shown by: theirs, or what an unnamed person is called. */
export function personLabel(person: { name: string | null }): string {
  return person.name ?? 'Unnamed person';
}

/** People as the People view lists them: named ones by name, then unnamed ones by how many photos they are in, and the hidden apart. */
export function peopleGroups(people: readonly Person[]): { named: Person[]; unnamed: Person[]; hidden: Person[] } {
  const shown = people.filter((p) => !p.hidden);
  const named = shown.filter((p) => p.name !== null).sort((a, b) => a.name!.localeCompare(b.name!, undefined, { sensitivity: 'base' }));
  const unnamed = shown.filter((p) => p.name === null).sort((a, b) => b.photos - a.photos || a.id - b.id);
  const hidden = people.filter((p) => p.hidden).sort((a, b) => personLabel(a).localeCompare(personLabel(b)) || a.id - b.id);
  return { named, unnamed, hidden };
}

/** Where a photo is placed in a round frame to show one face: percentages of the frame, for the image's width, height and offsets. */
export interface FaceCrop {
  width: number;
  height: number;
  left: number;
  top: number;
}

/** How much room around the face the round frame shows (the box's longer side times this). */
const ROOM = 1.7;

/**
 * The crop of a photo (of this aspect: width / height) that shows a face in a square frame: a square
 * around the box, with room around it, kept inside the photo.
 */
export function faceCrop(box: FaceBox, aspect: number): FaceCrop {
  const ratio = Number.isFinite(aspect) && aspect > 0 ? aspect : 1;
  // In units of the photo's height: it is `ratio` wide and 1 high.
  const side = Math.min(Math.max(box.width * ratio, box.height) * ROOM, ratio, 1);
  const cx = (box.x + box.width / 2) * ratio;
  const cy = box.y + box.height / 2;
  const left = Math.min(Math.max(cx - side / 2, 0), ratio - side);
  const top = Math.min(Math.max(cy - side / 2, 0), 1 - side);
  const pct = (n: number) => Math.round(n * 10000) / 100 + 0; // + 0: never -0
  return { width: pct(ratio / side), height: pct(1 / side), left: pct(-left / side), top: pct(-top / side) };
}
