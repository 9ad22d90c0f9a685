/**
 * What the library reports about itself (`status`, and the progress events of its jobs): its folders,
 * its counts, the model and text reader at work, and the job running. Part of the API (`api.ts`
 * re-exports it); kept apart so that the calls and their answers each fit a screen.
 */
import type { PeopleStatus } from './people-api.js';
import type { PlacesStatus } from './places-api.js';
/** How many of a folder's unreadable files its FolderInfo names (the count says how many there are). */
export const UNREADABLE_SHOWN = 20;

export interface FolderInfo {
  id: number;
  path: string;
  photoCount: number;
  errorCount: number;
  /** The first files (by path, at most UNREADABLE_SHOWN) of `errorCount` that could not be read, each with why. */
  unreadable: Array<{ path: string; error: string }>;
  /** Why the folder is not watched live, when it is not (for example the OS watch limit). */
  watchNote: string | null;
  /** Set when the folder could not be listed at the last scan: its photos are kept and stay searchable. */
  offline: { since: string; reason: string } | null;
}

/** A folder (a library folder or one inside it) that could not be listed; its photos are kept. */
export interface OfflineFolder {
  path: string;
  /** ISO time it was first found offline. */
  since: string;
  reason: string;
  photos: number;
}

export interface Progress {
  /**
   * `reading`: reading the text in photos indexed without it (OCR); `measuring`: computing the perceptual
   * hash and sharpness of photos indexed before stacks existed; `places`: naming where photos with GPS
   * coordinates were taken. Nothing is re-embedded in any of them.
   */
  phase: 'idle' | 'scanning' | 'indexing' | 'reading' | 'faces' | 'places' | 'measuring' | 'paused';
  done: number;
  total: number;
  errors: number;
  /** Photos per second over the last few seconds. */
  rate: number;
  etaSeconds: number | null;
  currentFile: string | null;
  /** Why the last job stopped before it finished (the photos it did not reach wait for the next); null when it did not. */
  failure: string | null;
}

/** Where one model session runs: its provider, the GPU adapter when there is one, and why not the GPU when it is not. */
export interface SessionInfo {
  session: string;
  provider: string;
  /** e.g. "NVIDIA GeForce RTX 4070 via vulkan"; null off WebGPU. */
  adapter: string | null;
  fallbackReason: string | null;
}

export interface Status {
  folders: FolderInfo[];
  /**
   * `videos`: how many of `indexed` are videos; `skipped`: files with a photo's name that are not photos
   * (icons, sprites), listed and not indexed; `warnings`: how many of `indexed` carry a warning (a damaged
   * video, searchable by the part that could be read: `PhotoDetail.warning` says how much).
   */
  photos: { total: number; indexed: number; pending: number; errors: number; skipped: number; warnings: number; videos: number };
  model: {
    id: string;
    name: string;
    captions: boolean;
    providers: string[];
    sessions: SessionInfo[];
    /** The pack the library is being switched to while its vectors are made; search uses `id` until then. */
    switchingTo: { id: string; name: string } | null;
    /** Photos whose caption this pack withheld because it did not recognise them (many: the library is not its world). */
    withheldCaptions: number;
  };
  ocr: OcrStatus;
  people: PeopleStatus;
  places: PlacesStatus;
  progress: Progress;
  offline: OfflineFolder[];
  /** Why this process can only read the library (another one is updating it); null when it can write. */
  readOnly: string | null;
  /** Things the user should know: a catalogue recovered from its backup, a settings file set aside. */
  notices: string[];
}

/** Reading the text in photos (OCR). */
export interface OcrStatus {
  enabled: boolean;
  /** The OCR pack's id and name. */
  model: string;
  name: string;
  /** Indexed photos read, still to read, and read with text found. */
  read: number;
  unread: number;
  withText: number;
  /** Why photos are not being read although OCR is on (the models could not be opened); null when they are. */
  problem: string | null;
  sessions: SessionInfo[];
}
