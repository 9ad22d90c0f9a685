/** A model pack's download size in words, shared by the app and the CLI: "4.7 MB", "about 1.6 GB". */

/** What downloading a pack weighs: `exact` when its manifest pins every file's size, else a rounded figure its manifest lists. */
export interface DownloadSize {
  bytes: number;
  exact: boolean;
}

/** "82 kB", "0.4 MB", "4.7 MB", "254 MB", "1.6 GB". */
export function byteSize(bytes: number): string {
  if (bytes < 1e5) return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
  return `${(bytes / 1e9).toFixed(bytes < 1e10 ? 1 : 0)} GB`;
}

/** Two significant figures, for a size that is only known roughly (1,570,000,000 -> 1,600,000,000). */
function rounded(bytes: number): number {
  const step = 10 ** (Math.floor(Math.log10(bytes)) - 1);
  return Math.round(bytes / step) * step;
}

/** "1.6 GB" or "about 1.6 GB"; null when the size is not known before the download starts. */
export function downloadSizeText(size: DownloadSize | null): string | null {
  if (!size) return null;
  return size.exact ? byteSize(size.bytes) : `about ${byteSize(rounded(size.bytes))}`;
}
