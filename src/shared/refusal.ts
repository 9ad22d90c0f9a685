/**
 * The words of a refused API call, as a person would say them: the field's name as a user knows it,
 * what is wrong with it, and the schema's own rule ("The search is too long: a query is at most 1,000
 * characters"). Kept apart from api.ts, which uses it, by the size of the contract.
 */
import type { z } from 'zod';

/** What a person calls the fields a user fills in, for the words of a refused call ("The search is too long: …"). */
const TIMELINE_FIELDS = {
  folder: 'The folder to show',
  camera: 'The camera to show',
  after: 'The first day to show',
  before: 'The last day to show',
  place: 'The place to show',
};
const FIELD_NAMES: Record<string, Record<string, string> | undefined> = {
  search: {
    query: 'The search',
    folder: 'The folder to search in',
    camera: 'The camera to search for',
    after: 'The first day to search',
    before: 'The last day to search',
    place: 'The place to search in',
    limit: 'The number of results',
    offset: 'The page of results',
  },
  timelineMonths: TIMELINE_FIELDS,
  timeline: TIMELINE_FIELDS,
  browseFolders: { path: 'The folder to open' },
  exportPhotos: { destination: 'The folder to export to' },
  setCaption: { text: 'The caption' },
  setAlbumTitle: { title: "The album's title" },
  addFolder: { path: "The folder's path" },
  createConcept: { name: "The concept's name", examples: 'The example photos', counterExamples: 'The counter-examples' },
  updateConcept: { rename: "The concept's new name", addExamples: 'The example photos', addCounterExamples: 'The counter-examples', removeExamples: 'The example photos' },
  renamePerson: { name: "The person's name" },
  assignFace: { name: 'The name' },
};

/** What each call is about, for a refused call whose field a user does not fill in (only a broken or hostile client sends one). */
export const CALL_TOPICS: Record<string, string | undefined> = {
  status: "the library's status",
  search: 'a search',
  photo: 'a photo',
  setCaption: 'a caption',
  albums: 'the albums',
  setAlbumTitle: "an album's title",
  addFolder: 'adding a folder',
  removeFolder: 'removing a folder',
  pickFolder: 'the folder picker',
  controlIndexing: 'indexing',
  addSampleLibrary: 'the sample library',
  models: 'the models',
  modelAction: 'a model',
  openInFileManager: 'showing a photo in its folder',
  setOcr: 'reading text in photos',
  concepts: 'the concepts',
  createConcept: 'teaching a concept',
  updateConcept: 'changing a concept',
  deleteConcept: 'forgetting a concept',
  duplicates: 'the duplicates',
  stack: 'a stack of duplicates',
  timelineMonths: 'the timeline',
  timeline: 'the timeline',
  setFavourite: 'favourites',
  browseFolders: 'browsing folders',
  exportPhotos: 'exporting photos',
  people: 'the people',
  renamePerson: "a person's name",
  mergePeople: 'merging people',
  rejectFace: 'correcting a face',
  assignFace: 'naming a face',
  hidePerson: 'hiding a person',
  setPersonCover: "a person's cover",
  setPeople: 'finding people',
  places: 'the places',
  placePoints: 'the map of photos',
};

/** What is wrong with a field, from the kind of problem zod found. */
function problem(issue: z.core.$ZodIssue): string {
  const origin = 'origin' in issue ? issue.origin : undefined;
  switch (issue.code) {
    case 'too_big':
      return origin === 'string' ? 'is too long' : origin === 'array' || origin === 'set' ? 'has too many' : 'is too large';
    case 'too_small':
      if (origin === 'string') return issue.minimum === 1 ? 'is empty' : 'is too short';
      return origin === 'array' || origin === 'set' ? 'has too few' : 'is too small';
    case 'invalid_type':
      return issue.input === undefined ? 'is missing' : 'is not the right kind of value';
    case 'invalid_format':
      return 'is not in the form Glimpse reads';
    case 'custom':
      return 'cannot be used';
    default:
      return 'is not valid';
  }
}

/** Why a call to `method` was refused, from the first problem zod found. */
export function refusal(method: string, issue: z.core.$ZodIssue): string {
  const field = issue.path.length === 1 ? FIELD_NAMES[method]?.[String(issue.path[0])] : undefined;
  if (field) return `${field} ${problem(issue)}: ${issue.message}`;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `The app sent a request about ${CALL_TOPICS[method] ?? 'something'} that Glimpse cannot read (${where}${issue.message}).`;
}
