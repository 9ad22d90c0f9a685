// The model manager's view of a pack (Settings → Models, `glimpse models`).
import type { DownloadSize } from './download-size.js';

export interface ModelInfo {
  id: string;
  name: string;
  description: string;
  installed: boolean;
  /** Search uses it now. */
  active: boolean;
  /** The library is being switched to it (its vectors are being made). */
  switching: boolean;
  bundled: boolean;
  licence: string;
  captions: boolean;
  languages: string[];
  /** Those of `languages` whose times ("June 2021", "5 de junio") the query parser reads; the others are searched by how photos look, times included as words. */
  timesReadIn: string[];
  /** What its image encoder has cost on this computer, measured while it indexed here; null before it has. */
  measuredHere: { msPerPhoto: number; photos: number } | null;
  /** What it costs on 2 CPU cores, as measured by the benchmark (`npm run bench -- --packs`); null when not measured. */
  cost: { msPerPhoto: number; msPerQuery: number } | null;
  /** Published search quality: recall (percent) per language code on the named benchmark; null when none is published. */
  quality: { benchmark: string; recall: Record<string, number> } | null;
  /** Why Glimpse recommends this pack for a library searched in `language`; null for the others. */
  recommended: { reason: string; language: string } | null;
  /** What downloading it weighs (`downloadSizeText` words it: "about 1.6 GB"); null when not known before it starts. */
  size: DownloadSize | null;
  /** A download in progress, paused (also from an earlier run) or failed; null when none. */
  download: DownloadInfo | null;
}

/** Where a pack's download stands. */
export interface DownloadInfo {
  phase: 'downloading' | 'paused' | 'failed' | 'installed';
  bytes: number;
  total: number | null;
  /** Why it failed, in words. */
  error: string | null;
  /** It failed because the download site could not be reached (offline, or the site down): the app offers the ways without it. */
  unreachable: boolean;
}
