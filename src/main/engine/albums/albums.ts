import { basename } from 'node:path';
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

/**
 * Titles and summarises one album from its photos: zero-shot scene labels (each photo classified over
 * the labels with the model's temperature, probabilities averaged over the album), plus the captions of
 * the photos closest to the album's mean embedding, which are its most representative.
 */
export async function captionAlbum(pack: ModelPack, photos: ReadonlyArray<{ id: number; vector: Float32Array; caption: string | null }>, dir: string): Promise<AlbumCaption> {
  if (photos.length === 0) return { title: basename(dir), summary: 'No photos yet.', coverId: null };
  const { labels } = await labelVectors(pack);
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

  const centre = meanDirection(photos.map((p) => p.vector));
  const representative = [...photos].sort((a, b) => dot(b.vector, centre) - dot(a.vector, centre));
  const examples = [...new Set(representative.map((p) => p.caption).filter((c): c is string => !!c))].slice(0, 2);
  const count = `${photos.length} photo${photos.length === 1 ? '' : 's'}`;
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

/** Recomputes the title and summary of every album whose photos changed since it was last captioned. */
export async function refreshAlbums(catalog: Catalog, pack: ModelPack): Promise<number> {
  const albumStore = new AlbumStore(catalog);
  const dirs = albumStore.photoDirs();
  const known = new Map(albumStore.albums().map((a) => [a.dir, a]));
  let updated = 0;
  for (const { dir, signature } of dirs) {
    const signed = `${pack.id}:${signature}`;
    if (known.get(dir)?.signature === signed) continue;
    const ids = albumStore.indexedIdsInDir(dir);
    const captions = new CaptionStore(catalog).captions(ids, pack.id);
    const photos = ids.flatMap((id) => {
      const vector = new VectorStore(catalog).vector(id, pack.id);
      return vector ? [{ id, vector, caption: captions.get(id) ?? null }] : [];
    });
    const album = await captionAlbum(pack, photos, dir);
    albumStore.saveAlbum({ dir, title: album.title, summary: album.summary, signature: signed, coverId: album.coverId });
    updated++;
  }
  albumStore.deleteAlbumsWithout(new Set(dirs.map((d) => d.dir)));
  return updated;
}
