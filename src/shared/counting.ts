/** Counted words for messages, shared by the app and the CLI: "1 photo", "3 photos and 1 video". */

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

/** "12 photos", "2 videos", "12 photos and 1 video": `total` items of which `videos` are videos. */
export function mediaCount(total: number, videos: number): string {
  if (videos === 0) return plural(total, 'photo');
  if (videos === total) return plural(total, 'video');
  return `${plural(total - videos, 'photo')} and ${plural(videos, 'video')}`;
}
