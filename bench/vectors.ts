/** The benchmark's synthetic 512-d embeddings (shared by bench/run.ts and bench/ann-explore.ts). */
import { seededRandom } from '../src/scenes/scene.js';

/**
 * Isotropic clusters (1,000 centres, noise in every dimension): the worst case for graph search. The
 * queries come from another seed, so from other centres: like a text query, near no photo in particular.
 */
export function clusteredVectors(n: number, dim: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 1000 }, () => Float32Array.from({ length: dim }, gauss));
  return Array.from({ length: n }, () => {
    const c = centres[Math.floor(random() * centres.length)]!;
    const v = c.map((x) => x + 0.45 * gauss());
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / norm);
  });
}

/**
 * Vectors with the decaying spectrum of real image embeddings: variance along axis i falls as i^-1.5,
 * so a few dozen directions carry most of it (CLIP's embeddings have a few dozen effective dimensions),
 * around 2,000 loose themes.
 */
export function spectralVectors(n: number, dim: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const scale = Float32Array.from({ length: dim }, (_, i) => (i + 1) ** -0.75);
  const themes = Array.from({ length: 2000 }, () => Float32Array.from({ length: dim }, (_, i) => gauss() * scale[i]!));
  return Array.from({ length: n }, () => {
    const t = themes[Math.floor(random() * themes.length)]!;
    const v = t.map((x, i) => x + 0.6 * gauss() * scale[i]!);
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / norm);
  });
}
