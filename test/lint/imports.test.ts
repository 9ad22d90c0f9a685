/**
 * The import graph of src/: no cycles between modules (type imports included: a type cycle is a design
 * cycle), and no import from a lower floor of the engine to a higher one. The floors, bottom up, are
 * ESLint's ENGINE_FLOORS; its LAYERS (eslint.config.js) refuses the same imports as they are typed, and
 * test/lint/layering.test.ts plants some; this test checks the whole graph as it is.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');
const ENGINE = join(SRC, 'main', 'engine');

/** The engine's floors, bottom up (ESLint's ENGINE_FLOORS), then the facade: engine.ts and the files beside it. */
const { ENGINE_FLOORS } = (await import(new URL('../../eslint.config.js', import.meta.url).href)) as { ENGINE_FLOORS: string[][] };
const FLOORS: ReadonlyArray<readonly string[]> = [...ENGINE_FLOORS, ['.']];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|cts|svelte)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

/** The modules of src/ a file imports (relative imports only; packages are not ours). */
function importsOf(file: string, known: ReadonlySet<string>): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) continue;
    const base = resolve(dirname(file), spec);
    const target = [base.replace(/\.js$/, '.ts'), base.replace(/\.cjs$/, '.cts'), base, `${base}.ts`, join(base, 'index.ts')].find((c) => known.has(c));
    if (target) found.push(target);
  }
  return found;
}

/** Strongly connected components of more than one module (or a module importing itself): the cycles. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function floorOf(file: string): number | undefined {
  if (!file.startsWith(ENGINE)) return undefined;
  const parts = relative(ENGINE, file).split(/[\\/]/);
  const folder = parts.length === 1 ? '.' : parts[0]!;
  const floor = FLOORS.findIndex((names) => names.includes(folder));
  return floor < 0 ? undefined : floor;
}

describe('the import graph of src/', () => {
  const files = sources(SRC);
  const known = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(f, known)]));
  const name = (f: string) => relative(ROOT, f);

  it('has no cycles, not even through types', () => {
    assert.deepEqual(
      cycles(graph).map((c) => c.map(name)),
      [],
    );
  });

  it('finds a planted cycle (the check itself works)', () => {
    const planted = new Map(graph);
    const [a, b] = [join(ENGINE, 'core', 'errors.ts'), join(ENGINE, 'core', 'paths.ts')];
    planted.set(a, [...planted.get(a)!, b]);
    planted.set(b, [...planted.get(b)!, a]);
    assert.equal(cycles(planted).length, 1);
  });

  it("puts every folder of the engine on a floor, and imports nothing from a floor above a module's own", () => {
    const folders = readdirSync(ENGINE).filter((n) => statSync(join(ENGINE, n)).isDirectory());
    assert.deepEqual(
      folders.filter((f) => !FLOORS.some((names) => names.includes(f))),
      [],
      'every engine folder is on a floor',
    );
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = floorOf(file);
      if (from === undefined) continue;
      for (const target of targets) {
        const to = floorOf(target);
        if (to !== undefined && to > from) upward.push(`${name(file)} -> ${name(target)}`);
      }
    }
    assert.deepEqual(upward, []);
  });

  it('keeps every module of src/ under 500 lines, but the schema ladder', () => {
    const long = files.filter((f) => !f.endsWith(join('catalog', 'schema.ts')) && readFileSync(f, 'utf8').split('\n').length > 500).map(name);
    assert.deepEqual(long, []);
  });
});
