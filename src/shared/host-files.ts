/** What the host's file system answers through the API: web mode's folder picker, and an export's report. */

/** A folder's subfolders as web mode's folder picker shows them. */
export interface FolderListing {
  /** The folder listed (its real path); null: the list of places to start from. */
  path: string | null;
  /** The folder above it while that is still inside a place the picker shows; null at a place's top. */
  parent: string | null;
  folders: Array<{ name: string; path: string }>;
  /** Where the picker starts: the home folder and the mounted drives. */
  places: Array<{ name: string; path: string }>;
  /** More subfolders than are listed (the first ones by name are). */
  truncated: boolean;
}

/** What an export copied, and what it could not, with why. `destination` null: no folder was chosen. */
export interface ExportReport {
  destination: string | null;
  copied: Array<{ id: number; name: string; file: string }>;
  failed: Array<{ id: number; name: string; reason: string }>;
}
