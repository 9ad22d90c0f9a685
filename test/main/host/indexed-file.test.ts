import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type CataloguedFile, type Opened, openIndexedFile, openRegularFile, openSameFile } from '../../../src/main/host/indexed-file.js';
import { tempDir } from '../../fixtures.js';

// A photo as the scan catalogues it, and the ways the path can come to hold something else before the
// watcher notices. Every case gets a fresh library: `Photos` (the library folder, reached through a
// link `Linked` too), `Photos2` (a sibling whose name starts like it), and a file outside both.

const PHOTO = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
const MTIME = new Date('2023-05-06T07:08:09.123Z');

interface Library {
  root: string;
  folder: string;
  photo: string;
  outside: string;
  catalogued: CataloguedFile;
}

function library(root: string): Library {
  const folder = join(root, 'Photos');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  mkdirSync(join(root, 'Photos2'));
  const photo = join(folder, 'IMG_1054.jpg');
  writeFileSync(photo, PHOTO);
  utimesSync(photo, MTIME, MTIME);
  symlinkSync(folder, join(root, 'Linked'));
  // A secret of the photo's very size and mtime: only where it lives gives it away.
  const outside = join(root, 'secret.txt');
  writeFileSync(outside, Buffer.alloc(PHOTO.length, 'x'));
  utimesSync(outside, MTIME, MTIME);
  return { root, folder, photo, outside, catalogued: { path: photo, size: PHOTO.length, mtimeMs: Math.round(statSync(photo).mtimeMs) } };
}

/** A copy of the photo (same bytes, size and mtime) at `path`. */
function copyAt(path: string): string {
  writeFileSync(path, PHOTO);
  utimesSync(path, MTIME, MTIME);
  return path;
}

/** Replaces the photo with a symbolic link to `target`. */
function linkTo(lib: Library, target: string): void {
  rmSync(lib.photo);
  symlinkSync(target, lib.photo);
}

async function read(opened: Opened): Promise<Buffer | null> {
  if (!opened.ok) return null;
  try {
    return await opened.handle.readFile();
  } finally {
    await opened.handle.close();
  }
}

describe('opening a library file only while it is the file that was indexed', () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  let n = 0;
  const fresh = () => library(join(tmp.path, String(++n)));

  const served: Array<[string, (lib: Library) => void]> = [
    ['the file as indexed', () => undefined],
    ['a link to a copy inside the library folder', (lib) => linkTo(lib, copyAt(join(lib.folder, 'sub', 'copy.jpg')))],
    ['a relative link to a copy inside the library folder', (lib) => (copyAt(join(lib.folder, 'sub', 'copy.jpg')), linkTo(lib, 'sub/copy.jpg'))],
    ['a link to a copy inside, through the link to the library folder', (lib) => linkTo(lib, copyAt(join(lib.root, 'Linked', 'sub', 'copy.jpg')))],
    ['a link to a link to a copy inside', (lib) => (symlinkSync(copyAt(join(lib.folder, 'sub', 'copy.jpg')), join(lib.folder, 'hop')), linkTo(lib, join(lib.folder, 'hop')))],
    ['the same bytes written again with the same mtime', (lib) => (rmSync(lib.photo), copyAt(lib.photo))],
  ];

  for (const [name, change] of served) {
    it(`serves ${name}`, async () => {
      const lib = fresh();
      change(lib);
      const opened = await openIndexedFile(lib.catalogued, [lib.folder]);
      assert.ok(opened.ok, opened.ok ? '' : opened.reason);
      assert.equal(opened.identity.size, PHOTO.length);
      assert.deepEqual(await read(opened), PHOTO);
    });
  }

  const refused: Array<[string, (lib: Library) => void]> = [
    ['a link to a file outside the library of the same size and mtime', (lib) => linkTo(lib, lib.outside)],
    ['a relative link climbing out of the library', (lib) => linkTo(lib, '../secret.txt')],
    ['a link into a sibling folder whose name starts like the library', (lib) => linkTo(lib, copyAt(join(lib.root, 'Photos2', 'copy.jpg')))],
    ['a link through a link inside the library to a file outside', (lib) => (symlinkSync(lib.outside, join(lib.folder, 'hop')), linkTo(lib, join(lib.folder, 'hop')))],
    ['a link to /etc/passwd', (lib) => linkTo(lib, '/etc/passwd')],
    ['a link to a device', (lib) => linkTo(lib, '/dev/zero')],
    ['a dangling link', (lib) => linkTo(lib, join(lib.folder, 'nothing.jpg'))],
    ['a link to itself', (lib) => linkTo(lib, lib.photo)],
    ['a link to the library folder', (lib) => linkTo(lib, lib.folder)],
    ['a folder', (lib) => (rmSync(lib.photo), mkdirSync(lib.photo))],
    ['a FIFO (opening it must not wait for a writer)', (lib) => (rmSync(lib.photo), execFileSync('mkfifo', [lib.photo]))],
    ['a link to a FIFO inside the library', (lib) => (execFileSync('mkfifo', [join(lib.folder, 'fifo')]), linkTo(lib, join(lib.folder, 'fifo')))],
    ['the file deleted', (lib) => rmSync(lib.photo)],
    ['the same size, another mtime', (lib) => utimesSync(lib.photo, MTIME, new Date(MTIME.getTime() + 2000))],
    ['an mtime a millisecond later', (lib) => utimesSync(lib.photo, MTIME, new Date(MTIME.getTime() + 1))],
    ['the same mtime, another size', (lib) => (writeFileSync(lib.photo, PHOTO.subarray(1)), utimesSync(lib.photo, MTIME, MTIME))],
    ['a file outside renamed over it, with another mtime', (lib) => (utimesSync(lib.outside, MTIME, new Date(0)), renameSync(lib.outside, lib.photo))],
  ];

  for (const [name, change] of refused) {
    it(`refuses ${name}`, { timeout: 10_000 }, async () => {
      const lib = fresh();
      change(lib);
      const opened = await openIndexedFile(lib.catalogued, [lib.folder]);
      const content = await read(opened);
      assert.equal(content, null, `served ${content?.subarray(0, 20).toString()}`);
      assert.equal(opened.ok, false);
      if (!opened.ok) assert.ok(!opened.reason.includes(lib.root), `the reason names no path: ${opened.reason}`);
    });
  }

  // The only refusal above that passes when the file is indexed but its folder is not a library folder.
  it('refuses a link to a copy inside a folder that is not a library folder', async () => {
    const lib = fresh();
    linkTo(lib, copyAt(join(lib.folder, 'sub', 'copy.jpg')));
    assert.equal((await openIndexedFile(lib.catalogued, [join(lib.folder, 'other')])).ok, false);
    assert.equal((await openIndexedFile(lib.catalogued, [join(lib.root, 'Linked')])).ok, true, 'library folders are compared by their real paths');
  });

  it('a second opening serves only the same, unchanged file', async () => {
    const lib = fresh();
    const first = await openIndexedFile(lib.catalogued, [lib.folder]);
    assert.ok(first.ok);
    await first.handle.close();
    const again = await openSameFile(lib.photo, first.identity);
    assert.deepEqual(await read(again), PHOTO);
    // (A second name keeps the file's inode taken, so that no copy below can be given its number.)
    linkSync(lib.photo, join(lib.root, 'kept'));
    // Swapped for a copy (same bytes, size and mtime: another inode), for a link to it, or for the outside file.
    const swaps: Array<() => void> = [
      () => renameSync(copyAt(join(lib.folder, 'sub', 'copy.jpg')), lib.photo),
      () => linkTo(lib, copyAt(join(lib.folder, 'sub', 'copy2.jpg'))),
      () => linkTo(lib, lib.outside),
      () => (rmSync(lib.photo), execFileSync('mkfifo', [lib.photo])),
      () => rmSync(lib.photo),
    ];
    for (const swap of swaps) {
      swap();
      const opened = await openSameFile(lib.photo, first.identity);
      assert.equal(await read(opened), null, swap.toString());
    }
  });

  it('a second opening refuses the same file once it changed', async () => {
    const lib = fresh();
    const first = await openIndexedFile(lib.catalogued, [lib.folder]);
    assert.ok(first.ok);
    await first.handle.close();
    utimesSync(lib.photo, MTIME, new Date(MTIME.getTime() + 1));
    assert.equal((await openSameFile(lib.photo, first.identity)).ok, false);
  });

  it('opens regular files of the data folder, not FIFOs, folders or links', async () => {
    const lib = fresh();
    assert.deepEqual(await read(await openRegularFile(lib.photo)), readFileSync(lib.photo));
    execFileSync('mkfifo', [join(lib.root, 'fifo')]);
    for (const path of [join(lib.root, 'fifo'), lib.folder, join(lib.root, 'Linked'), join(lib.root, 'gone')]) assert.equal((await openRegularFile(path)).ok, false, path);
  });
});
