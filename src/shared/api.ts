/**
 * The one API contract between the renderer and the engine host. The Electron preload/IPC bridge and
 * the loopback web server both carry exactly these calls and events; both ends validate the params
 * with these schemas at run time, so a hostile or malformed message gets an error, never a crash.
 *
 * This module is imported by the main process, the preload, the renderer and the web server: it must
 * stay free of Node and DOM APIs.
 */
import { z } from 'zod';
import { CONCEPT_NAME_INPUT_MAX, CONCEPT_NAME_MAX, cleanConceptName, conceptNameProblem } from './concept-name.js';
import { refusal } from './refusal.js';
import type { ExportReport, FolderListing } from './host-files.js';
import type { TimelineMonths } from './timeline.js';
import type { FolderInfo, OcrStatus, Progress, Status } from './library-status.js';
import { type PeopleResults, type PhotoFace, peopleMethods } from './people-api.js';
import { type PlacesResults, placeFilter, placesMethods } from './places-api.js';
import type { DownloadInfo, ModelInfo } from './models-api.js';

export type { ExportReport, FolderListing } from './host-files.js';
export type { TimelineMonths } from './timeline.js';
export { UNREADABLE_SHOWN } from './library-status.js';
export type { FaceBox, PeopleStatus, PeopleView, Person, PhotoFace } from './people-api.js';
export type { PlaceCity, PlaceCountry, PlaceFilter, PlacePoints, PlaceRegion, PlacesStatus, PlacesView } from './places-api.js';
export type { FolderInfo, OcrStatus, OfflineFolder, Progress, SessionInfo, Status } from './library-status.js';
export type { DownloadInfo, ModelInfo } from './models-api.js';

const id = z.number().int().positive();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'a date like 2024-06-30');

/** The filters search and the timeline share: where, when, what kind, favourites. */
const photoFilters = {
  folder: z.string().max(4096, "a folder's path is at most 4,096 characters").optional(),
  after: isoDate.optional(),
  before: isoDate.optional(),
  camera: z.string().max(200, "a camera's name is at most 200 characters").optional(),
  /** Only photos, or only videos. */
  media: z.enum(['photo', 'video']).optional(),
  /** Only the photos the user marked as favourites. */
  favourites: z.boolean().default(false),
  /** Only the photos taken in this country, region or city (places-api.ts). */
  place: placeFilter.optional(),
};

export const searchParams = z
  .object({
    query: z.string().max(1000, 'a query is at most 1,000 characters').default(''),
    /** Search by example: a photo already in the library. */
    similarTo: id.optional(),
    limit: z.number().int().min(1).max(1000, 'at most 1,000 results are shown at once').default(100),
    /** Skip this many of the shown results: the next page ("Show more"). */
    offset: z.number().int().min(0).max(1000, 'results are ranked 1,000 deep: an offset is at most 1,000').default(0),
    ...photoFilters,
    sort: z.enum(['relevance', 'date']).default('relevance'),
    /** Lift the adaptive relevance cutoff and show everything ranked. */
    all: z.boolean().default(false),
    /** Show each near-duplicate stack as one result (its best-ranked photo, with the stack's size), as the grid does. */
    stacks: z.boolean().default(false),
    /** Only photos with every one of these people in them (person ids). */
    people: z.array(id).max(20, 'at most 20 people at once').optional(),
    /** Words of the query to keep as words: a reading undone ("Nice" the word, not the city). */
    literal: z.array(z.string().min(1).max(200, 'a kept word is at most 200 characters')).max(20, 'at most 20 kept words').optional(),
    /** Only these photos (a dot on the map: the photos taken there). */
    only: z.array(id).max(10_000, 'at most 10,000 photos at once').optional(),
  })
  .strict();

/** Where a timeline page continues: after this tile (its taken-at time, null for a photo without a date, and id). */
const timelineCursor = z
  .object({
    takenAt: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}[\dT:.Z+-]{0,20}$/, 'a time like 2024-06-30T12:00:00Z')
      .nullable(),
    id,
  })
  .strict();

/** A concept's name, cleaned and checked by its rules (`concept-name.ts`). */
const conceptName = z
  .string()
  .max(CONCEPT_NAME_INPUT_MAX, `a concept's name is at most ${CONCEPT_NAME_MAX} characters`)
  .transform(cleanConceptName)
  .superRefine((clean, context) => {
    const problem = conceptNameProblem(clean);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });
/** A full path of a folder on this computer, as the user's file system spells it (no NUL, which no path holds). */
const folderPath = z
  .string()
  .min(1)
  .max(4096, "a folder's path is at most 4,096 characters")
  .refine((path) => !path.includes('\0'), 'a path cannot hold a NUL character');
/** Photo ids, each once. */
const photoIds = (most: number) =>
  z
    .array(id)
    .max(most)
    .refine((ids) => new Set(ids).size === ids.length, 'a photo is listed more than once');

export const methods = {
  status: z.object({}).strict(),
  search: searchParams,
  photo: z.object({ id }).strict(),
  setCaption: z.object({ id, text: z.string().max(2000, 'a caption is at most 2,000 characters') }).strict(),
  albums: z.object({}).strict(),
  setAlbumTitle: z.object({ id, title: z.string().min(1, 'an album needs a title').max(200, 'a title is at most 200 characters') }).strict(),
  /**
   * `grant`: the one-time grant `pickFolder` returned with this path. In the desktop app a path without
   * a valid grant (one the user typed) is added only once the user confirms it in a dialog; web mode has
   * no picker and ignores it (its per-run token guards the call).
   */
  addFolder: z
    .object({
      path: z.string().min(1, "type the folder's path").max(4096, 'a path is at most 4,096 characters'),
      grant: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/, 'a grant from pickFolder')
        .max(100)
        .optional(),
    })
    .strict(),
  removeFolder: z.object({ id }).strict(),
  /** Opens the native folder picker; null where there is none (web mode) or when cancelled. */
  pickFolder: z.object({}).strict(),
  /** Pauses, resumes or stops the indexing job in progress. */
  controlIndexing: z.object({ action: z.enum(['pause', 'resume', 'cancel']) }).strict(),
  /** Generates the sample library (scenes the bundled model understands) and adds it as a folder. */
  addSampleLibrary: z.object({}).strict(),
  models: z.object({}).strict(),
  /** Downloads (or resumes), pauses or cancels a pack's download, or switches the library to an installed pack. */
  modelAction: z
    .object({
      id: z
        .string()
        .regex(/^[a-z0-9][a-z0-9._-]*$/)
        .max(100),
      action: z.enum(['download', 'pause', 'cancel', 'use']),
    })
    .strict(),
  openInFileManager: z.object({ id }).strict(),
  /** Turns reading text in photos (OCR) on or off; on, photos indexed without it are read in the background. */
  setOcr: z.object({ enabled: z.boolean() }).strict(),
  /** The concepts the user taught ("my cat Miso"). */
  concepts: z.object({}).strict(),
  /** Teaches a new concept from example photos (3 or more make a reliable one) and optional counter-examples. */
  createConcept: z
    .object({
      name: conceptName,
      examples: photoIds(1000).refine((ids) => ids.length > 0, 'a concept needs at least one example photo'),
      counterExamples: photoIds(1000).default([]),
    })
    .strict()
    .refine((p) => !p.counterExamples.some((c) => p.examples.includes(c)), 'a photo cannot be both an example and a counter-example'),
  /** Adds examples or counter-examples ("not Miso": the classifier is trained again), removes examples, or renames. */
  updateConcept: z
    .object({
      id,
      rename: conceptName.optional(),
      addExamples: photoIds(1000).default([]),
      addCounterExamples: photoIds(1000).default([]),
      removeExamples: photoIds(1000).default([]),
    })
    .strict()
    .refine((p) => !p.addCounterExamples.some((c) => p.addExamples.includes(c)), 'a photo cannot be both an example and a counter-example'),
  deleteConcept: z.object({ id }).strict(),
  /** Exact and near-duplicate groups with their photos, best shot first (Glimpse never deletes a file). */
  duplicates: z.object({}).strict(),
  /** The photos of one near-duplicate stack, best shot first, as search results (to open the stack in place). */
  stack: z.object({ id }).strict(),
  /** How many tiles the timeline holds per month (its scrubber and layout), with the same filters as search. */
  timelineMonths: z.object(photoFilters).strict(),
  /**
   * A page of the timeline (every photo, newest first, one tile per stack, those without a date last),
   * from the newest or after `cursor` (the previous page's `next`); with `month` ('YYYY-MM' or
   * 'undated'), only that month's tiles.
   */
  timeline: z
    .object({
      ...photoFilters,
      cursor: timelineCursor.optional(),
      month: z
        .string()
        .regex(/^(\d{4}-(0[1-9]|1[0-2])|undated)$/, "a month like 2024-06, or 'undated'")
        .optional(),
      limit: z.number().int().min(1).max(2000, 'a timeline page is at most 2,000 tiles').default(300),
    })
    .strict(),
  /** Marks photos as favourites (a heart), or unmarks them. */
  setFavourite: z.object({ ids: photoIds(10_000).refine((ids) => ids.length > 0, 'no photos were given'), favourite: z.boolean() }).strict(),
  /**
   * Web mode's folder picker: the subfolders of a folder in the user's home or on a mounted drive (hidden
   * ones left out), or the places it starts from when no path is given. Refused outside those places.
   */
  browseFolders: z.object({ path: folderPath.optional() }).strict(),
  /**
   * Copies the originals of photos into a folder, never over a file (a name taken gets " (2)"). The desktop
   * app asks for the folder with its own picker; web mode names one from `browseFolders`.
   */
  exportPhotos: z.object({ ids: photoIds(10_000).refine((ids) => ids.length > 0, 'no photos were given'), destination: folderPath.optional() }).strict(),
  ...peopleMethods,
  ...placesMethods,
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.input<(typeof methods)[M]>;

export interface MatchReason {
  /** `text`: words read in the photo (OCR); `concept`: a concept the user taught, named in the query; `person`: a person named in the query; `stack`: its place in an opened stack. */
  kind: 'visual' | 'caption' | 'album' | 'name' | 'example' | 'text' | 'concept' | 'person' | 'stack';
  detail: string;
}

export interface SearchResult {
  id: number;
  path: string;
  name: string;
  /**
   * How it matched, as a number: the similarity to the query (or the example) when it was matched by
   * how it looks, the confidence of a concept named alone; null when only its words matched (a caption,
   * an album title, a name, text read in it), which have no such measure. One reason, not the order,
   * which fuses several rankings.
   */
  score: number | null;
  takenAt: string | null;
  caption: string | null;
  width: number | null;
  height: number | null;
  why: MatchReason[];
  /** Its folder could not be listed at the last scan (an unplugged drive): the file cannot be opened now. */
  offline: boolean;
  media: 'photo' | 'video';
  /** A video's length in seconds (null for a photo). */
  duration: number | null;
  /** The moment of a video that matched best: seconds from its start and the sampled frame (its thumbnail); null for a photo or a keyword-only match. */
  moment: { at: number; frame: number } | null;
  /** The near-duplicate stack it stands for (bursts, edits, copies of one shot): its id and how many photos it holds; null when none. */
  stack: { id: number; size: number } | null;
  /** The user marked it as a favourite (a heart). */
  favourite: boolean;
}

/** A photo of a near-duplicate group, as the Duplicates view lists it. */
export interface DuplicatePhoto {
  id: number;
  path: string;
  name: string;
  folder: string;
  /** File size in bytes. */
  bytes: number;
  width: number | null;
  height: number | null;
  /** Variance of the Laplacian at a fixed scale (null: not measured yet). */
  sharpness: number | null;
  /** The group's best shot (the sharpest, then the largest): listed first. */
  best: boolean;
  /** Byte-for-byte the same file as this photo of the group (an exact copy), or null. */
  copyOf: number | null;
}

/** Bursts, edits and copies of one shot. `exact`: every photo is the same file. */
export interface DuplicateGroup {
  id: number;
  kind: 'exact' | 'near';
  photos: DuplicatePhoto[];
}

export interface Duplicates {
  groups: DuplicateGroup[];
  /** Photos in groups, and how many of them are not their group's best shot (what a clean-up could free). */
  photos: number;
  extra: number;
  /** Bytes the photos that are not their group's best shot take. */
  extraBytes: number;
  /** Indexed photos whose perceptual hash is not computed yet (they join stacks once it is). */
  pending: number;
}

/** A part of a query read as a filter or a name (a time, a place, a person, a concept, the media, something left out). */
export interface UnderstoodPart {
  kind: 'date' | 'place' | 'person' | 'concept' | 'media' | 'exclude';
  /** What its chip says: "summer 2023", "Lisbon", "Anna", "videos", "without people". */
  label: string;
  /** The words of the query it took, lead word included ("in Lisbon"). */
  text: string;
  /** The query without those words: what removing the chip searches. */
  without: string;
  /** A reading the user may undo (a place that is also a word): searching again with its `text` in `literal` keeps it as words. */
  ambiguous: boolean;
  /** The person's or concept's id. */
  id?: number;
}

export interface SearchResponse {
  /** This page: `offset` to `offset + limit` of the shown results. */
  results: SearchResult[];
  /** Every result the cutoff shows, over all pages (more pages follow while offset + results < total). */
  total: number;
  /** How many of `total` are videos (the app says "3 photos and 1 video"). */
  videos: number;
  /** Ranked results below the adaptive relevance cutoff; `all: true` shows them. */
  hidden: number;
  tookMs: number;
  /**
   * The time the query named ("beach 2023", "snow in January 2021"), read as a filter on when photos
   * were taken (combined with the after/before filters), and not searched as words.
   */
  taken?: { label: string; after: string; before: string };
  /**
   * People named in the query ("Anna at the beach") or asked for as a filter: only photos with all of them
   * are results. `without`: the query with the words that named this person taken out (the query itself
   * for a person asked for as a filter), so the app can search again without them.
   */
  people?: Array<{ id: number; name: string; without: string }>;
  /**
   * What the query was read as, in its order: each part a chip the app shows ("📍 Lisbon", "📅 summer
   * 2023", "Anna", "videos", "without people"), removable by searching `without` instead.
   */
  understood?: UnderstoodPart[];
  /** When the filters the query names leave no photo: which emptied it ("No photos in Lisbon from 2022; 3 in Lisbon from 2023"). */
  emptied?: string;
  /** With `emptied`: a query that has photos ("Lisbon 2023"; the query without the filter that emptied it). */
  instead?: string;
  /**
   * Words of the query the search model does not know (its tokenizer has no token for them, or they are
   * in a script it was not trained on): nothing was matched by how photos look, since the model cannot
   * say what these words look like, and `message` says so and what was shown instead ("tiny-coca does
   * not know 'bird': showing name and text matches only"). Absent when the model knows every word.
   */
  /** `reader`: a pack of the catalogue that reads these words (the app and CLI point to it). */
  unknownWords?: { words: string[]; message: string; reader?: { id: string; name: string; language: string } };
}

export interface PhotoDetail {
  id: number;
  path: string;
  name: string;
  folder: string;
  size: number;
  width: number | null;
  height: number | null;
  takenAt: string | null;
  camera: string | null;
  gps: { lat: number; lon: number } | null;
  caption: { text: string; source: 'caption' | 'user' | 'ocr'; edited: boolean } | null;
  /** Why no caption is shown: the model made one it was not confident of (null when a caption is shown, or none was made). */
  captionWithheld: string | null;
  /** Text read in the photo, line by line, with each line's corners as fractions of the upright photo's size; null when not read yet. */
  readText: { lines: Array<{ text: string; box: Array<{ x: number; y: number }> }> } | null;
  album: { id: number; title: string } | null;
  /** The concepts the user taught that this photo is (its examples too, never its counter-examples), most confident first. */
  concepts: Array<{ id: number; name: string; confidence: number; example: boolean }>;
  /** The faces found in it, left to right, with whose they are. */
  faces: PhotoFace[];
  /** `skipped`: not a photo (smaller than a photo on a side: an icon, a sprite), with why in `error`. */
  status: 'pending' | 'indexed' | 'error' | 'skipped';
  error: string | null;
  /** What was wrong with an item indexed all the same: a damaged video read only in part; null when nothing. */
  warning: string | null;
  offline: { since: string; reason: string } | null;
  media: 'photo' | 'video';
  /** A video's length in seconds (null for a photo, or a video not indexed yet). */
  duration: number | null;
  /** The user marked it as a favourite (a heart). */
  favourite: boolean;
}

export interface Album {
  id: number;
  path: string;
  title: string;
  summary: string;
  photoCount: number;
  coverId: number | null;
  edited: boolean;
}

/** A concept the user taught: the name and the photos are theirs; the classifier is learned from them per model pack. */
export interface Concept {
  id: number;
  name: string;
  /** Example photos (ids), and counter-examples ("not Miso"). */
  examples: number[];
  counterExamples: number[];
  /** Photos it matches in the library now (examples included). */
  matches: number;
}

/** A page of the timeline; `next` continues it (null: the last page). */
export interface TimelinePage {
  tiles: SearchResult[];
  next: { takenAt: string | null; id: number } | null;
  tookMs: number;
}

export interface Results extends PeopleResults, PlacesResults {
  status: Status;
  search: SearchResponse;
  photo: PhotoDetail;
  setCaption: PhotoDetail;
  albums: Album[];
  setAlbumTitle: Album;
  addFolder: FolderInfo;
  removeFolder: { removed: boolean };
  /** `grant`: the desktop's one-time permission to add this path (pass it to `addFolder`); absent in web mode. */
  pickFolder: { path: string | null; grant?: string };
  controlIndexing: Progress;
  addSampleLibrary: FolderInfo;
  models: ModelInfo[];
  modelAction: ModelInfo[];
  openInFileManager: { opened: boolean };
  setOcr: OcrStatus;
  concepts: Concept[];
  createConcept: Concept;
  updateConcept: Concept;
  deleteConcept: { deleted: boolean };
  duplicates: Duplicates;
  stack: SearchResult[];
  timelineMonths: TimelineMonths;
  timeline: TimelinePage;
  setFavourite: { ids: number[]; favourite: boolean };
  browseFolders: FolderListing;
  exportPhotos: ExportReport;
}

export interface Events {
  progress: Progress;
  /** Photos were added, changed or removed: views should refresh. */
  libraryChanged: { reason: string };
  /** A model download moved on (progress, paused, failed, installed). */
  modelDownload: DownloadInfo & { id: string };
}
export type EventName = keyof Events;

/** What travels back for every call, over IPC and HTTP alike. */
export type Reply<M extends MethodName> = { ok: true; result: Results[M] } | { ok: false; error: string };

export class ApiError extends Error {
  override name = 'ApiError';
}

/**
 * Validates a call from the other side. A refusal says what was wrong as a person would say it: "The
 * search is too long: a query is at most 1,000 characters" (the schema's message says the rule).
 */
export function parseCall(method: unknown, params: unknown): { method: MethodName; params: unknown } {
  if (typeof method !== 'string' || !Object.hasOwn(methods, method)) throw new ApiError(`unknown method ${JSON.stringify(method)?.slice(0, 80)}`);
  const name = method as MethodName;
  const parsed = methods[name].safeParse(params ?? {});
  if (!parsed.success) {
    throw new ApiError(refusal(name, parsed.error.issues[0]!));
  }
  return { method: name, params: parsed.data };
}

/** The typed client both transports implement for the renderer. */
export interface GlimpseApi {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Results[M]>;
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void;
  /** URL of a photo's thumbnail or full image, served only for indexed photo ids. */
  /** A photo's thumbnail or file; `frame`: the thumbnail of a video's sampled frame (a search's moment). */
  mediaUrl(kind: 'thumb' | 'full', id: number, frame?: number): string;
  /** 'desktop' inside Electron, 'web' in a browser on web mode. */
  readonly shell: 'desktop' | 'web';
}
