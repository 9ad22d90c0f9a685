/**
 * The People part of the API contract: the calls that list, name, merge, hide and correct people, and
 * what they answer. Spread into `methods` and `Results` in api.ts; free of Node and DOM like it.
 */
import { z } from 'zod';
import { PERSON_NAME_INPUT_MAX, PERSON_NAME_MAX, cleanPersonName, personNameProblem } from './person-name.js';

const id = z.number().int().positive();

const personName = z
  .string()
  .max(PERSON_NAME_INPUT_MAX, `a name is at most ${PERSON_NAME_MAX} characters`)
  .transform(cleanPersonName)
  .superRefine((clean, context) => {
    const problem = personNameProblem(clean);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

export const peopleMethods = {
  /** Everyone the faces were grouped into (named first, hidden ones flagged), and how far finding faces is. */
  people: z.object({}).strict(),
  /** Names a person, or (null) makes them unnamed again. Naming vouches for the faces they have. */
  renamePerson: z.object({ id, name: personName.nullable() }).strict(),
  /** `from` is the same person as `into`: one person, with both's faces (and `from`'s name when `into` has none). */
  mergePeople: z
    .object({ into: id, from: id })
    .strict()
    .refine((p) => p.into !== p.from, 'a person cannot be merged with themselves'),
  /** "Not this person": the face leaves the person and is never grouped with them again. */
  rejectFace: z.object({ face: id, person: id }).strict(),
  /** "This is ...": the face belongs to a person (by id, or a new one by name) through every regroup. */
  assignFace: z
    .object({ face: id, person: id.optional(), name: personName.optional() })
    .strict()
    .refine((p) => (p.person === undefined) !== (p.name === undefined), 'name a person by id or a new one by name, not both'),
  /** Hides a person from People and from results' people (their photos stay), or shows them again. */
  hidePerson: z.object({ id, hidden: z.boolean() }).strict(),
  /** The face that shows a person in People. */
  setPersonCover: z.object({ id, face: id }).strict(),
  /** Turns finding faces on or off; off deletes every face found and the grouping, and with `forgetNames` the names and corrections too. */
  setPeople: z.object({ enabled: z.boolean(), forgetNames: z.boolean().default(false) }).strict(),
};

/** A face's box, as fractions of the upright photo's width and height. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A face as the viewer shows it: where it is and whose it is (null: not grouped with anyone). */
export interface PhotoFace {
  id: number;
  box: FaceBox;
  person: { id: number; name: string | null } | null;
  /** The user placed it ("this is Anna"). */
  byUser: boolean;
}

export interface Person {
  id: number;
  name: string | null;
  hidden: boolean;
  faces: number;
  photos: number;
  /** The face that shows them: the one the user chose, or their clearest. */
  cover: { face: number; photoId: number; box: FaceBox } | null;
}

/** Where finding faces stands. */
export interface PeopleStatus {
  enabled: boolean;
  model: string;
  name: string;
  /** Indexed photos looked at for faces, and still to look at. */
  scanned: number;
  unscanned: number;
  faces: number;
  /** Faces waiting until enough like them found a person. */
  unsorted: number;
  /** Why faces cannot be found (the models could not be opened); null when they can. */
  problem: string | null;
}

export interface PeopleView {
  status: PeopleStatus;
  people: Person[];
}

export interface PeopleResults {
  people: PeopleView;
  renamePerson: Person;
  mergePeople: Person;
  rejectFace: PhotoFace[];
  assignFace: PhotoFace[];
  hidePerson: Person;
  setPersonCover: Person;
  setPeople: PeopleStatus;
}
