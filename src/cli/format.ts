import type { Duplicates, OfflineFolder, SearchResponse, Status, UnderstoodPart } from '../shared/api.js';
import type { UpdateSummary } from '../main/engine/engine.js';
import { plural } from '../shared/counting.js';
import { formatTimestamp } from '../shared/timestamp.js';

/**
 * A name, path or text from the library as the terminal is given it: control characters (a newline, a
 * carriage return, the escape that starts a terminal command), Unicode's line and paragraph separators
 * and the bidirectional overrides are written as escapes (`\n`, `\x1b`, `\u2028`), so a file named
 * "a\nLibrary: 0 photos.jpg" cannot fake a line of output, move the cursor or reorder what follows it.
 * Every path, name and text from the library that the CLI prints goes through it (JSON output is escaped
 * by JSON itself).
 */
export function shown(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    const code = c.charCodeAt(0);
    return named[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/** Reasons whose detail already says what kind they are ("concept Miso, confidence 0.91", "reads …"). */
const SELF_DESCRIBED = new Set(['concept', 'text']);

/** "Anna", "Anna and Ben", "Anna, Ben and Cleo". */
function listed(names: readonly string[]): string {
  return names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
}

/** Each part's words as the line says them. */
const UNDERSTOOD: Record<UnderstoodPart['kind'], (label: string) => string> = {
  date: (label) => `taken ${/^\d/.test(label) && !/^\d{4}/.test(label) ? 'on' : 'in'} ${label}`,
  place: (label) => `in ${label}`,
  person: (label) => `with ${label}`,
  concept: (label) => label,
  media: (label) => `only ${label}`,
  exclude: (label) => label,
};

/**
 * The line that says what the query was read as, the app's chips in words: "Read from the query: taken in
 * summer 2023 · in Lisbon · with Anna (the rest is searched)." A reading the user may undo says how.
 */
export function understoodLine(parts: readonly UnderstoodPart[]): string {
  const said = parts.map((p) => UNDERSTOOD[p.kind](p.label)).join(' · ');
  const undo = parts.filter((p) => p.ambiguous).map((p) => `--literal "${p.text.replace(/^(in|at|from|near|to|the)\s+/i, '')}" reads '${p.label}' as words`);
  return shown(`Read from the query: ${said}.${undo.length > 0 ? ` (${undo.join('; ')}.)` : ''}`);
}

export function printResults(response: SearchResponse, json = false, offset = 0): void {
  if (json) {
    console.log(JSON.stringify(response, null, 2));
    return;
  }
  if (response.understood) console.log(understoodLine(response.understood));
  // People asked for with --person are not in the query: said apart.
  const asked = (response.people ?? []).filter((p) => !response.understood?.some((u) => u.kind === 'person' && u.label === p.name));
  if (asked.length > 0) console.log(`With ${shown(listed(asked.map((p) => p.name)))} (only photos with them).`);
  if (response.unknownWords) {
    console.log(`${shown(response.unknownWords.message)}.`);
    if (response.unknownWords.reader) console.log(`Try: glimpse models download ${response.unknownWords.reader.id}`);
  }
  if (response.results.length === 0) {
    if (response.emptied) console.log(`${shown(response.emptied)}.`.replace(/\.\.$/, '.') + (response.instead ? ` Try: glimpse search "${shown(response.instead)}"` : ''));
    else console.log(response.hidden > 0 ? `No clear matches; ${plural(response.hidden, 'weaker one is', 'weaker ones are')} hidden (--all shows them).` : 'No matches.');
    return;
  }
  response.results.forEach((r, i) => {
    // A video hit names the moment that matched: "clip.mp4 @ 00:14".
    const moment = r.moment ? ` @ ${formatTimestamp(r.moment.at)}` : '';
    const stack = r.stack ? `  (stack ${r.stack.id} of ${r.stack.size})` : '';
    // The rank, and no score: results are ordered by fusing several rankings (the picture, the words of
    // captions, names and text read, concepts), so no one similarity orders them; --json has each reason's.
    console.log(`${String(i + 1 + offset).padStart(3)}. ${shown(r.path)}${moment}${r.offline ? '  (offline)' : ''}${stack}`);
    const notes = r.why
      .filter((w) => w.kind !== 'visual' && w.kind !== 'example' && w.kind !== 'person' && !(w.kind === 'caption' && w.detail === r.caption))
      .map((w) => (SELF_DESCRIBED.has(w.kind) ? w.detail : `${w.kind}: ${w.detail}`));
    if (r.caption) notes.unshift(`“${r.caption}”`);
    if (notes.length) console.log(`      ${shown(notes.join(' · '))}`);
  });
  const more = response.hidden > 0 ? `; ${plural(response.hidden, 'weaker match', 'weaker matches')} hidden (--all shows them)` : '';
  const of = response.total > response.results.length ? ` (${offset + 1}-${offset + response.results.length} of ${response.total}; --offset pages on)` : '';
  console.log(`${plural(response.results.length, 'result')}${of} in ${response.tookMs} ms${more}`);
}

function printOffline(offline: OfflineFolder[]): void {
  for (const o of offline)
    console.log(
      `  offline since ${new Date(o.since).toLocaleString()}: ${shown(o.path)}: ${shown(o.reason)}. Its ${plural(o.photos, 'photo')} ${o.photos === 1 ? 'is' : 'are'} kept and stay${o.photos === 1 ? 's' : ''} searchable.`,
    );
}

export function printUpdate(
  summary: UpdateSummary,
  errors: Array<{ path: string; error: string }>,
  counts: Status['photos'],
  offline: OfflineFolder[],
  warnings: Array<{ path: string; warning: string }> = [],
): void {
  const s = summary.scan;
  const i = summary.indexing;
  console.log(
    `Scanned: ${s.added} new, ${s.changed} changed, ${s.moved} moved, ${s.removed} removed, ${s.unchanged} unchanged${s.offline ? `, ${s.offline} in offline folders` : ''}.` +
      `\nIndexed ${plural(i.indexed, 'photo')} in ${i.seconds.toFixed(1)} s${i.indexed > 0 ? ` (${(i.indexed / Math.max(i.seconds, 0.001)).toFixed(1)} photos/s)` : ''}` +
      `${i.errors ? `; ${i.errors} could not be read` : ''}${i.warnings ? `; ${i.warnings} damaged, indexed from the part that could be read` : ''}` +
      `${i.skipped ? `; ${i.skipped} skipped as too small to be photos (icons, sprites)` : ''}${i.cancelled ? ' (cancelled)' : ''}.` +
      (summary.reading
        ? `\nRead the text in ${plural(summary.reading.read, 'photo')} in ${summary.reading.seconds.toFixed(1)} s (text found in ${summary.reading.withText}).`
        : '') +
      (summary.faces
        ? `\nLooked for faces in ${plural(summary.faces.scanned, 'photo')} in ${summary.faces.seconds.toFixed(1)} s: ${
            summary.faces.faces === 0
              ? 'none found.'
              : `${plural(summary.faces.faces, 'face')} found${summary.faces.made ? `, ${plural(summary.faces.made, 'new person', 'new people')}` : ''} (glimpse people lists them).`
          }`
        : '') +
      (summary.places && summary.places.placed > 0
        ? `\nFound the places of ${plural(summary.places.placed, 'photo')} with GPS coordinates in ${summary.places.seconds.toFixed(1)} s (glimpse places lists them).`
        : '') +
      (summary.looks ? `\nMeasured ${plural(summary.looks.measured, 'photo')} indexed earlier for duplicates.` : '') +
      (summary.stacks.built ? `\nDuplicates: ${plural(summary.stacks.groups, 'group')} of ${plural(summary.stacks.photos, 'photo')} (glimpse duplicates lists them).` : '') +
      `\nLibrary: ${plural(counts.indexed, 'photo')} indexed, ${counts.errors} with problems, ${counts.pending} waiting${counts.skipped ? `, ${counts.skipped} skipped as not photos` : ''}.`,
  );
  printOffline(offline);
  for (const p of summary.problems.slice(0, 20)) if (!offline.some((o) => o.path === p.path)) console.log(`  skipped ${shown(p.path)}: ${shown(p.error)}`);
  if (errors.length) {
    console.log('Photos with problems:');
    for (const e of errors) console.log(`  ${shown(e.path)}: ${shown(e.error)}`);
  }
  if (warnings.length) {
    console.log('Indexed, with a warning:');
    for (const w of warnings) console.log(`  ${shown(w.path)}: ${shown(w.warning)}`);
  }
}

export function ocrLine(ocr: Status['ocr']): string {
  const counts = `${plural(ocr.read, 'photo')} read${ocr.unread ? `, ${ocr.unread} ${ocr.enabled ? 'to read' : 'not read'}` : ''}, text found in ${ocr.withText}`;
  if (ocr.problem) return `Text in photos: on, but ${shown(ocr.problem)}`;
  return `Text in photos (${ocr.name}): ${ocr.enabled ? 'on' : 'off (glimpse ocr on)'}; ${counts}`;
}

export function printStatus(
  status: Status,
  errors: Array<{ path: string; error: string }>,
  json = false,
  skipped: Array<{ path: string; error: string }> = [],
  warnings: Array<{ path: string; warning: string }> = [],
): void {
  if (json) {
    console.log(JSON.stringify({ ...status, errors, skipped, warnings }, null, 2));
    return;
  }
  const p = status.photos;
  const where = status.model.providers.length ? ` on ${status.model.providers.join(', ')}` : '';
  const id = status.model.name === status.model.id ? '' : ` (${status.model.id})`;
  console.log(`Model: ${shown(status.model.name)}${id}${where}${status.model.captions ? ', with captions' : ''}`);
  console.log(
    `Photos: ${p.indexed} indexed${p.videos > 0 ? ` (${p.videos} of them videos)` : ''}, ${p.pending} waiting, ${p.errors} with problems${p.warnings ? `, ${p.warnings} damaged but searchable` : ''}${p.skipped ? `, ${p.skipped} skipped as not photos` : ''} (${p.total} in all)`,
  );
  console.log(ocrLine(status.ocr));
  if (status.folders.length === 0) console.log('No folders yet: glimpse index <folder>');
  for (const f of status.folders)
    console.log(`  ${shown(f.path)}: ${plural(f.photoCount, 'photo')}${f.errorCount ? `, ${f.errorCount} with problems` : ''}${f.watchNote ? ` (${shown(f.watchNote)})` : ''}`);
  printOffline(status.offline);
  if (status.readOnly) console.log(`Read-only here: ${shown(status.readOnly)}.`);
  if (status.progress.failure) console.log(`The last indexing job stopped: ${shown(status.progress.failure)}`);
  for (const e of errors) console.log(`  ! ${shown(e.path)}: ${shown(e.error)}`);
  for (const w of warnings) console.log(`  ~ ${shown(w.path)}: ${shown(w.warning)}`);
  for (const e of skipped) console.log(`  - ${shown(e.path)}: ${shown(e.error)}`);
  if (p.skipped > skipped.length && skipped.length > 0) console.log(`  - … and ${p.skipped - skipped.length} more skipped`);
}

function megabytes(bytes: number): string {
  return bytes < 1e6 ? `${Math.round(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/** `glimpse duplicates`: each group with its size, best shot first; nothing is ever deleted. */
export function printDuplicates(report: Duplicates, json = false): void {
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  if (report.groups.length === 0) console.log('No duplicates found.');
  for (const g of report.groups) {
    console.log(`${g.kind === 'exact' ? 'Exact copies' : 'Near-duplicates'}: ${plural(g.photos.length, 'photo')} (stack ${g.id})`);
    for (const p of g.photos) {
      const size = p.width && p.height ? `${p.width}x${p.height}` : '?';
      const note = p.best ? 'best shot' : p.copyOf !== null ? `exact copy of ${p.copyOf}` : '';
      console.log(`  ${p.best ? '*' : ' '} ${String(p.id).padStart(6)}  ${size.padEnd(11)} ${megabytes(p.bytes).padStart(8)}  ${shown(p.path)}${note ? `  (${note})` : ''}`);
    }
  }
  if (report.groups.length > 0)
    console.log(
      `${plural(report.groups.length, 'group')}, ${plural(report.photos, 'photo')}; ${report.extra} are not their group's best shot (${megabytes(report.extraBytes)}). Glimpse never deletes files: review them in your file manager.`,
    );
  if (report.pending > 0) console.log(`${plural(report.pending, 'photo')} ${report.pending === 1 ? 'is' : 'are'} not measured for duplicates yet: glimpse index measures them.`);
}
