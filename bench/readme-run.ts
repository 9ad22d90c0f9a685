/**
 * The README's "A real run": the commands a new user types on the sample library, run for real through
 * the CLI, their output written into README.md between the markers (`npm run bench -- --readme`). No
 * figure in it is typed by hand: a speed the README promises is one this machine measured.
 * `test/readme.test.ts` runs the same commands and holds the README's block to their output, with the
 * figures that vary from run to run (times, rates, scores) masked.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';

export const BEGIN = '<!-- a-real-run: written by `npm run bench -- --readme`, not by hand -->';
export const END = '<!-- /a-real-run -->';

/** What a new user types, in order: `~` is the user's home. */
export const COMMANDS: ReadonlyArray<readonly string[]> = [
  ['sample', '~/Pictures/Sample'],
  ['index', '~/Pictures/Sample'],
  ['search', 'a red circle on grass', '--limit', '3'],
  ['search', '"cafe"'],
  ['search', 'a bird'],
  ['albums'],
];

/** A word as a shell shows it: quoted when it holds a space or a quote mark. */
function shellWord(word: string): string {
  if (/^[\w~/.-]+$/.test(word)) return word;
  return word.includes('"') ? `'${word}'` : `"${word}"`;
}

/**
 * Runs COMMANDS in `home` (a fresh data folder and sample library there) and returns the block as the
 * README shows it, `home` written as /home/you. The albums list is cut after two albums, as a reader
 * needs no more to see what it looks like.
 */
export function realRun(home: string): string {
  const cli = resolve('src/cli/glimpse.ts');
  const env = { ...process.env, GLIMPSE_DATA_DIR: join(home, '.config', 'Glimpse'), NO_COLOR: '1' };
  mkdirSync(join(home, 'Pictures'), { recursive: true });
  const lines: string[] = [];
  for (const command of COMMANDS) {
    const args = command.map((word) => word.replace(/^~/, home));
    const run = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`glimpse ${command.join(' ')} failed (${run.status}): ${run.stderr}`);
    let output = run.stdout.trimEnd().split('\n');
    if (command[0] === 'albums') {
      const third = output.map((line, i) => (/^\s+\d+ {2}\S/.test(line) ? i : -1)).filter((i) => i >= 0)[2];
      if (third !== undefined) output = [...output.slice(0, third), '   …'];
    }
    lines.push(`$ npx glimpse ${command.map(shellWord).join(' ')}`, ...output);
  }
  // How busy the machine was says how far its times are from an idle one's.
  const cores = cpus().length;
  const load = loadavg()[0]!;
  const busy = load > cores / 2 ? `, busy with other work (load average ${load.toFixed(0)})` : '';
  const intro = `A real run (the sample library with the bundled model, reading text on as by default, on a ${cores}-core machine without a GPU${busy}; \`npm run bench -- --readme\` writes it):`;
  // Laid out as Prettier lays out Markdown, so `npm run lint` passes the README as written.
  return [BEGIN, '', intro, '', '```text', ...lines.map((l) => l.split(home).join('/home/you')), '```', '', END].join('\n');
}

/** The block with what varies from run to run masked: times, rates and scores (decimal figures), and milliseconds. */
export function shape(block: string): string {
  return block
    .split('\n')
    .filter((line) => !line.startsWith('A real run'))
    .join('\n')
    .replace(/\d+(\.\d+)?(?= ?(ms|s)\b)/g, '#')
    .replace(/\d+\.\d+/g, '#')
    .replace(/\d+(?= photos\/s)/g, '#');
}

/** The README's block (from BEGIN to END), or null when it has none. */
export function readmeBlock(readme: string): string | null {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  return start < 0 || end < start ? null : readme.slice(start, end + END.length);
}

/** Writes a fresh run into README.md in place of its block. */
export function writeReadme(home: string, file = resolve('README.md')): string {
  const readme = readFileSync(file, 'utf8');
  const old = readmeBlock(readme);
  if (!old) throw new Error(`${file} has no block between ${BEGIN} and ${END}`);
  const block = realRun(home);
  writeFileSync(file, readme.replace(old, block));
  return block;
}
