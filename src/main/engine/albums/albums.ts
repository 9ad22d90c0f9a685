import { basename, dirname } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { ModelPack } from '../models/pack.js';
import { dot, meanDirection } from '../core/vector-math.js';
import { AlbumStore } from './album-store.js';
import { CaptionStore } from '../captions/caption-store.js';
import { VectorStore } from '../index/vector-store.js';

/**
 * Scene labels for album titles, each a phrase that completes the prompt templates below. Labels whose
 * words the pack's tokenizer does not know (the bundled pack knows only its synthetic world) are left out.
 */
const SCENE_LABELS: ReadonlyArray<{ title: string; phrase: string }> = [
  { title: 'Grass', phrase: 'on grass' },
  { title: 'Sky', phrase: 'in the sky' },
  { title: 'Sand', phrase: 'on sand' },
  { title: 'Night', phrase: 'at night' },
  { title: 'Plain backgrounds', phrase: 'on a plain background' },
  { title: 'Beach', phrase: 'on the beach' },
  { title: 'Mountains', phrase: 'in the mountains' },
  { title: 'Snow', phrase: 'in the snow' },
  { title: 'City', phrase: 'in a city street' },
  { title: 'Forest', phrase: 'in a forest' },
  { title: 'Sea', phrase: 'by the sea' },
  { title: 'Sunset', phrase: 'at sunset' },
  { title: 'Food', phrase: 'of food on a table' },
  { title: 'Dogs', phrase: 'of a dog' },
  { title: 'Cats', phrase: 'of a cat' },
  { title: 'People', phrase: 'of people' },
  { title: 'Party', phrase: 'of a party' },
  { title: 'Documents', phrase: 'of a document' },
  { title: 'Flowers', phrase: 'of flowers' },
  { title: 'Cars', phrase: 'of a car' },
  { title: 'Buildings', phrase: 'of a building' },
  { title: 'Indoors', phrase: 'taken indoors' },
];

/** Prompt ensembling as in CLIP: each label's text embedding is the mean over these templates. */
const TEMPLATES = ['{}', 'a photo {}', 'a picture {}', 'a photograph {}'];

interface LabelVectors {
  labels: Array<{ title: string; phrase: string; vector: Float32Array }>;
}

const labelCache = new WeakMap<ModelPack, Promise<LabelVectors>>();

function labelVectors(pack: ModelPack): Promise<LabelVectors> {
  let cached = labelCache.get(pack);
  if (!cached) {
    cached = (async () => {
      const labels = [];
      for (const label of SCENE_LABELS) {
        if ((await pack.unknownWords(label.phrase)).length > 0) continue;
        const prompts = TEMPLATES.map((t) => t.replace('{}', label.phrase));
        labels.push({ ...label, vector: meanDirection(await pack.embedTexts(prompts)) });
      }
      return { labels };
    })();
    labelCache.set(pack, cached);
  }
  return cached;
}

export interface AlbumCaption {
  title: string;
  summary: string;
  coverId: number | null;
}

export interface AlbumPhoto {
  id: number;
  vector: Float32Array;
  caption: string | null;
  /**
   * Whether the pack showed a caption of its own for the photo (true), withheld the one it made as
   * unsure (false), or made none (captions off, or a pack without a captioner: undefined).
   */
  captioned?: boolean | undefined;
}

/** When an album's photos were taken (ISO times), for a title the pack cannot give it. */
export interface TakenRange {
  first: string | null;
  last: string | null;
}

/**
 * Which photos the pack recognises: those it showed a caption for, where it captions; otherwise those
 * whose best scene label its own calibrated search cutoff would show (`search.calibration`, as for the
 * best candidate of a query); a pack with neither gives no evidence, and every photo counts.
 */
function recognised(pack: ModelPack, photos: readonly AlbumPhoto[], labels: LabelVectors['labels']): boolean[] {
  const calibration = pack.manifest.search?.calibration;
  return photos.map((photo) => {
    if (photo.captioned !== undefined) return photo.captioned;
    if (!calibration || labels.length === 0) return true;
    const best = Math.max(...labels.map((l) => dot(photo.vector, l.vector)));
    return 1 / (1 + Math.exp(-(calibration.intercept + calibration.similarity * best))) >= calibration.threshold;
  });
}

const MONTH = new Intl.DateTimeFormat('en', { month: 'long', timeZone: 'UTC' });

/** "2018", "June 2018", "June–August 2018", "2010–2014"; null without dates. */
export function takenSpan(taken: TakenRange): string | null {
  if (!taken.first || !taken.last) return null;
  const [a, b] = [new Date(taken.first), new Date(taken.last)];
  const [ya, yb] = [a.getUTCFullYear(), b.getUTCFullYear()];
  if (ya !== yb) return `${ya}–${yb}`;
  const [ma, mb] = [MONTH.format(a), MONTH.format(b)];
  return ma === mb ? `${ma} ${ya}` : `${ma}–${mb} ${ya}`;
}

/**
 * An album the pack does not know is titled by what the user knows of it: its folder's name, and when
 * its photos were taken unless the name already says the year ("Holiday 2019").
 */
function folderTitle(dir: string, taken: TakenRange): string {
  const name = basename(dir);
  const span = takenSpan(taken);
  return span && !(span.match(/\d{4}/g) ?? []).some((year) => name.includes(year)) ? `${name}, ${span}` : name;
}

/**
 * Titles and summarises one album from its photos: zero-shot scene labels (each photo classified over
 * the labels with the model's temperature, probabilities averaged over the album), plus the captions of
 * the photos closest to the album's mean embedding, which are its most representative. When the pack
 * recognises fewer than half of the photos (real photographs under the bundled pack: dog, horses and an
 * eagle were "Plain backgrounds"), a scene label would be a guess: the album is titled by its folder and
 * dates instead, and the summary says how many the pack recognised.
 */
export async function captionAlbum(pack: ModelPack, photos: readonly AlbumPhoto[], dir: string, taken: TakenRange = { first: null, last: null }): Promise<AlbumCaption> {
  if (photos.length === 0) return { title: basename(dir), summary: 'No photos yet.', coverId: null };
  const { labels } = await labelVectors(pack);
  const count = `${photos.length} photo${photos.length === 1 ? '' : 's'}`;
  const centre = meanDirection(photos.map((p) => p.vector));
  const representative = [...photos].sort((a, b) => dot(b.vector, centre) - dot(a.vector, centre));
  const known = recognised(pack, photos, labels).filter(Boolean).length;
  if (known * 2 < photos.length) {
    const span = takenSpan(taken);
    const which = known === 0 ? `${pack.id} does not recognise what they show` : `${pack.id} recognises ${known} of them`;
    return { title: folderTitle(dir, taken), summary: `${count}${span ? `, taken ${span}` : ''}; ${which}.`, coverId: representative[0]!.id };
  }
  const scale = pack.manifest.logitScale;
  const share = new Float64Array(labels.length);
  for (const photo of photos) {
    const logits = labels.map((l) => scale * dot(photo.vector, l.vector));
    const max = Math.max(...logits);
    const exp = logits.map((x) => Math.exp(x - max));
    const total = exp.reduce((a, b) => a + b, 0);
    exp.forEach((e, i) => (share[i]! += e / total / photos.length));
  }
  const order = labels.map((_, i) => i).sort((a, b) => share[b]! - share[a]!);
  // A clear theme names the album ("Grass", "Grass and sky"); a mix keeps the folder's own name.
  const [first, second] = [order[0] ?? -1, order[1] ?? -1];
  const themes = (share[first] ?? 0) >= 0.3 && (share[second] ?? 0) >= 0.3 ? [first, second] : (share[first] ?? 0) >= 0.4 ? [first] : [];
  const title = themes.length === 0 ? basename(dir) : themes.map((i, n) => (n === 0 ? labels[i]!.title : labels[i]!.title.toLowerCase())).join(' and ');

  const examples = [...new Set(representative.map((p) => p.caption).filter((c): c is string => !!c))].slice(0, 2);
  const main = labels[order[0]!];
  const what =
    main && share[order[0]!]! >= 0.5
      ? `, mostly ${main.phrase}`
      : order.length > 1
        ? `, a mix (${order
            .slice(0, 3)
            .filter((i) => share[i]! >= 0.1)
            .map((i) => labels[i]!.phrase)
            .join(', ')})`
        : '';
  const summary = `${count}${what}${examples.length ? `, such as ${examples.map((e) => `“${e}”`).join(' and ')}` : ''}.`;
  return { title, summary, coverId: representative[0]?.id ?? null };
}

/**
 * How titles are made: part of every album's signature, so a library titled by an older rule is titled
 * again once (`AlbumStore.titledBefore`).
 */
export const TITLE_RULES = 'titles-2';

/**
 * A title no other album of the library has (compared without case): the title, then qualified by its
 * folder ("Plain backgrounds (Studio)"), then by the folder above ("(Trips/Studio)"), then numbered.
 */
export function uniqueTitle(title: string, dir: string, taken: ReadonlySet<string>): string {
  const folder = basename(dir);
  const parent = basename(dirname(dir));
  const tries = [title, ...(folder.toLowerCase() !== title.toLowerCase() ? [`${title} (${folder})`] : []), ...(parent ? [`${title} (${parent}/${folder})`] : [])];
  for (let n = 2; ; n++) {
    const found = tries.find((t) => !taken.has(t.toLowerCase()));
    if (found) return found;
    tries.push(`${title} (${n})`);
  }
}

/**
 * Recomputes the title and summary of every album whose photos changed since it was last captioned,
 * each title unique in the library: an album keeps its title, a new one takes another ("Plain
 * backgrounds" three times was three albums no one could tell apart).
 */
export async function refreshAlbums(catalog: Catalog, pack: ModelPack): Promise<number> {
  const albumStore = new AlbumStore(catalog);
  const captionStore = new CaptionStore(catalog);
  const dirs = albumStore.photoDirs();
  const known = new Map(albumStore.albums().map((a) => [a.dir, a]));
  const signed = (signature: string) => `${pack.id}:${TITLE_RULES}:${signature}`;
  const stale = dirs.filter((d) => known.get(d.dir)?.signature !== signed(d.signature));
  const staleDirs = new Set(stale.map((d) => d.dir));
  // The titles that stay: every album's the user titled, and the generated ones of albums not titled again.
  const taken = new Set(
    [...known.values()].filter((a) => a.user_title !== null || (!staleDirs.has(a.dir) && dirs.some((d) => d.dir === a.dir))).map((a) => (a.user_title ?? a.title).toLowerCase()),
  );
  for (const { dir, signature } of stale) {
    const ids = albumStore.indexedIdsInDir(dir);
    const captions = captionStore.captions(ids, pack.id);
    const captioned = captionStore.generatedOutcomes(ids, pack.id);
    const photos = ids.flatMap((id) => {
      const vector = new VectorStore(catalog).vector(id, pack.id);
      return vector ? [{ id, vector, caption: captions.get(id) ?? null, captioned: captioned.get(id) }] : [];
    });
    const album = await captionAlbum(pack, photos, dir, albumStore.takenRange(dir));
    const title = uniqueTitle(album.title, dir, taken);
    taken.add(title.toLowerCase());
    albumStore.saveAlbum({ dir, title, summary: album.summary, signature: signed(signature), coverId: album.coverId });
  }
  albumStore.deleteAlbumsWithout(new Set(dirs.map((d) => d.dir)));
  return stale.length;
}
