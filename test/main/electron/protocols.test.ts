import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../fixtures.js';
import { APP_INDEX, CSP, isAppDocument, mediaFileResponse, mediaHeaders, routeAppRequest, routeMediaRequest } from '../../../src/main/electron/protocols.js';
import { type MediaFile, openIndexedFile } from '../../../src/main/host/indexed-file.js';

const RENDERER = resolve('/srv/glimpse/out/renderer');

describe('the glimpse-app:// router', () => {
  const route = (url: string, method = 'GET') => routeAppRequest(url, method, RENDERER);

  it('serves index.html for the root and the index, with the CSP header', () => {
    for (const url of ['glimpse-app://app/', 'glimpse-app://app', APP_INDEX]) {
      const answer = route(url);
      assert.equal(answer.kind, 'file', url);
      if (answer.kind !== 'file') continue;
      assert.equal(answer.path, join(RENDERER, 'index.html'));
      assert.equal(answer.mime, 'text/html; charset=utf-8');
      assert.equal(answer.headers['content-security-policy'], CSP);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    }
    assert.match(CSP, /script-src 'self'(;|$)/);
    assert.match(CSP, /img-src 'self' glimpse-media: data:/);
    assert.match(CSP, /media-src glimpse-media:/);
    assert.match(CSP, /frame-ancestors 'none'/);
  });

  it("gives the renderer no inline script or style and no connection beyond its own origin, in the header and index.html's meta tag alike", () => {
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(readFileSync(new URL('../../../src/renderer/index.html', import.meta.url), 'utf8'))?.[1];
    assert.ok(meta, "index.html's meta tag");
    for (const [where, policy] of [
      ['header', CSP],
      ['meta tag', meta],
    ] as const) {
      const directives = new Map(policy.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
      assert.equal(directives.get('script-src'), "'self'", `${where}: ${policy}`);
      assert.equal(directives.get('style-src'), "'self'", `${where}: ${policy}`);
      assert.equal(directives.get('connect-src'), "'self'", `${where}: ${policy}`);
      assert.doesNotMatch(policy, /unsafe-|\b(ws|wss|http|https):(?!\/)|\*/, `${where}: ${policy}`);
    }
  });

  it('serves a built asset with its type, without the CSP header, and ignores the query', () => {
    const answer = route('glimpse-app://app/assets/index-Ab12.js?v=3', 'HEAD');
    assert.deepEqual(answer, {
      kind: 'file',
      path: join(RENDERER, 'assets', 'index-Ab12.js'),
      mime: 'text/javascript; charset=utf-8',
      headers: { 'content-type': 'text/javascript; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' },
    });
    const other = route('glimpse-app://app/assets/font.unknown');
    assert.equal(other.kind === 'file' && other.mime, 'application/octet-stream');
    // Encoded ordinary characters are fine.
    const spaced = route('glimpse-app://app/assets/a%20b.css');
    assert.equal(spaced.kind === 'file' && spaced.path, join(RENDERER, 'assets', 'a b.css'));
  });

  // `npm test` builds the renderer before the tests run; alone, this test needs `npm run build:renderer`.
  const built = fileURLToPath(new URL('../../../out/renderer', import.meta.url));
  it('serves every file of the real renderer build', { skip: !existsSync(join(built, 'index.html')) && 'the renderer is not built' }, () => {
    const files = readdirSync(built, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    assert.ok(files.length >= 2);
    for (const file of files) {
      const url = `glimpse-app://app/${relative(built, file).split(sep).map(encodeURIComponent).join('/')}`;
      const answer = routeAppRequest(url, 'GET', built);
      assert.equal(answer.kind === 'file' && answer.path, file, url);
    }
  });

  it('refuses to climb out of the renderer folder, however the path is written', () => {
    const hostile = [
      'glimpse-app://app/../../etc/passwd',
      'glimpse-app://app/assets/../../../etc/passwd',
      'glimpse-app://app/%2e%2e/%2e%2e/etc/passwd',
      'glimpse-app://app/%2E%2E/secret',
      'glimpse-app://app/.%2e/secret',
      'glimpse-app://app/..%2f..%2fetc%2fpasswd',
      'glimpse-app://app/assets%2f..%2f..%2fsecret',
      'glimpse-app://app/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'glimpse-app://app/..%5c..%5cwindows%5cwin.ini',
      'glimpse-app://app/a%5c..%5cb',
      'glimpse-app://app/%252e%252e/secret',
      'glimpse-app://app/..',
      'glimpse-app://app/assets/..?x',
    ];
    for (const url of hostile) {
      const answer = route(url);
      if (answer.kind === 'file') assert.fail(`${url} was served as ${answer.path}`);
      assert.equal(answer.kind, 'refuse', url);
    }
  });

  it('refuses absolute paths, drive letters, backslashes, NULs and empty segments', () => {
    const hostile = [
      'glimpse-app://app//etc/passwd',
      'glimpse-app://app/%2fetc%2fpasswd',
      'glimpse-app://app/%2Fetc/passwd',
      'glimpse-app://app/C:/Windows/win.ini',
      'glimpse-app://app/C%3A%5CWindows%5Cwin.ini',
      'glimpse-app://app/%5c%5cserver%5cshare%5cfile',
      'glimpse-app://app/index.html%00.png',
      'glimpse-app://app/assets//index.js',
      'glimpse-app://app/assets/',
      'glimpse-app://app/./index.html%2f',
      'glimpse-app://app/index.html::$DATA',
      'glimpse-app://app/%0aindex.html',
      'glimpse-app://app/...',
      'glimpse-app://app/index.html.',
      'glimpse-app://app/index.html%20',
      'glimpse-app://app/..%20/secret',
    ];
    for (const url of hostile) {
      const answer = route(url);
      if (answer.kind === 'file') assert.fail(`${url} was served as ${answer.path}`);
      assert.equal(answer.status, 404, url);
    }
  });

  it('refuses unknown hosts, credentials, ports, other schemes and non-URLs', () => {
    const cases: Array<[string, number]> = [
      ['glimpse-app://evil/index.html', 404],
      ['glimpse-app://app.evil/index.html', 404],
      ['glimpse-app://APP/index.html', 404],
      ['glimpse-app://user:pass@app/index.html', 404],
      ['glimpse-app://app:8080/index.html', 404],
      ['glimpse-app:///index.html', 404],
      ['glimpse-media://thumb/1', 400],
      ['file:///etc/passwd', 400],
      ['https://app/index.html', 400],
      ['not a url', 400],
      ['', 400],
    ];
    for (const [url, status] of cases) assert.deepEqual([url, route(url).kind, (route(url) as { status?: number }).status], [url, 'refuse', status]);
  });

  it('refuses malformed percent-encoding and methods other than GET and HEAD', () => {
    assert.deepEqual(route('glimpse-app://app/%E0%A4%A'), { kind: 'refuse', status: 400, reason: 'malformed percent-encoding' });
    assert.deepEqual(route('glimpse-app://app/%'), { kind: 'refuse', status: 400, reason: 'malformed percent-encoding' });
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'get']) assert.equal((route(APP_INDEX, method) as { status?: number }).status, 405, method);
  });

  it('never answers with a path outside the folder, for any of many generated paths', () => {
    const pieces = ['..', '%2e%2e', '%2E.', '.', '%2f', '%5c', '/', '\\', 'a', 'index.html', '%00', ':', '%3a', '~', '%252e'];
    let served = 0;
    // Every sequence of up to four pieces: 15^4 = 50 625 URLs.
    const walk = (path: string, depth: number) => {
      const answer = route(`glimpse-app://app/${path}`);
      if (answer.kind === 'file') {
        served++;
        assert.ok(answer.path.startsWith(RENDERER + sep), `${path} -> ${answer.path}`);
        for (const segment of answer.path.slice(RENDERER.length + 1).split(sep)) assert.doesNotMatch(segment, /^[. ]*$|\0|%/, path);
      }
      if (depth < 4) for (const piece of pieces) walk(path + piece, depth + 1);
    };
    walk('', 0);
    assert.ok(served > 100, 'some ordinary paths were served');
  });
});

describe('the glimpse-media:// router', () => {
  it('parses thumb and full ids', () => {
    assert.deepEqual(routeMediaRequest('glimpse-media://thumb/1', 'GET'), { kind: 'media', mediaKind: 'thumb', id: 1 });
    assert.deepEqual(routeMediaRequest('glimpse-media://full/987654321/', 'HEAD'), { kind: 'media', mediaKind: 'full', id: 987654321 });
    assert.deepEqual(routeMediaRequest('glimpse-media://full/999999999999999', 'GET'), { kind: 'media', mediaKind: 'full', id: 999_999_999_999_999 });
    // A video's sampled frame (the moment a search found): thumbnails only.
    assert.deepEqual(routeMediaRequest('glimpse-media://thumb/7/0', 'GET'), { kind: 'media', mediaKind: 'thumb', id: 7, frame: 0 });
    assert.deepEqual(routeMediaRequest('glimpse-media://thumb/7/63/', 'GET'), { kind: 'media', mediaKind: 'thumb', id: 7, frame: 63 });
  });

  it('refuses anything that is not a plain positive id of a known kind', () => {
    const hostile = [
      'glimpse-media://thumb/0',
      'glimpse-media://thumb/-1',
      'glimpse-media://thumb/+1',
      'glimpse-media://thumb/01',
      'glimpse-media://thumb/1.5',
      'glimpse-media://thumb/1e3',
      'glimpse-media://thumb/0x10',
      'glimpse-media://thumb/%31',
      'glimpse-media://thumb/1%00',
      'glimpse-media://thumb/%201',
      'glimpse-media://thumb/1234567890123456',
      'glimpse-media://thumb/99999999999999999999',
      'glimpse-media://thumb/NaN',
      'glimpse-media://thumb/Infinity',
      'glimpse-media://thumb/',
      'glimpse-media://thumb',
      'glimpse-media://thumb/1/01',
      'glimpse-media://thumb/1/-1',
      'glimpse-media://thumb/1/12345',
      'glimpse-media://thumb/1/2/3',
      'glimpse-media://thumb/1/%32',
      'glimpse-media://thumb/1/1.5',
      'glimpse-media://full/1/2',
      'glimpse-media://thumb//1',
      'glimpse-media://thumb/../full/1',
      'glimpse-media://thumb/1?size=9999',
      'glimpse-media://thumb/%2e%2e%2f1',
      'glimpse-media://preview/1',
      'glimpse-media://THUMB/1',
      'glimpse-media://thumb.evil/1',
      'glimpse-media://user@thumb/1',
      'glimpse-media://thumb:1/1',
      'glimpse-media:///etc/passwd',
      'glimpse-media://full//etc/passwd',
      'glimpse-app://thumb/1',
      'file:///1',
      'nonsense',
    ];
    for (const url of hostile) {
      const answer = routeMediaRequest(url, 'GET');
      if (answer.kind === 'media') assert.fail(`${url} was taken as ${answer.mediaKind} ${answer.id}`);
      assert.equal(answer.kind, 'refuse', url);
    }
  });

  it('refuses methods other than GET and HEAD', () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'])
      assert.deepEqual(routeMediaRequest('glimpse-media://thumb/1', method), { kind: 'refuse', status: 405, reason: 'only GET and HEAD' });
  });

  it('serves photos privately cached and unsniffed', () => {
    assert.deepEqual(mediaHeaders('image/webp'), { 'content-type': 'image/webp', 'cache-control': 'private, max-age=300', 'x-content-type-options': 'nosniff' });
  });
});

describe('the app document check', () => {
  it('accepts only the renderer index on the app origin', () => {
    assert.equal(isAppDocument('glimpse-app://app/'), true);
    assert.equal(isAppDocument('glimpse-app://app/index.html'), true);
    assert.equal(isAppDocument('glimpse-app://app/index.html#/search'), true);
    for (const url of [
      'glimpse-app://app/other.html',
      'glimpse-app://app/assets/index.js',
      'glimpse-app://evil/index.html',
      'glimpse-app://app.evil/index.html',
      'glimpse-app://user@app/index.html',
      'glimpse-app://app:1/index.html',
      'glimpse-media://app/index.html',
      'https://app/index.html',
      'file:///srv/glimpse/out/renderer/index.html',
      'about:blank',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      '',
      'index.html',
    ]) {
      assert.equal(isAppDocument(url), false, url);
    }
  });
});

describe('media files through the Electron protocol', () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const request = (headers: Record<string, string> = {}, method = 'GET') => ({ method, headers: new Headers(headers) });
  const MTIME = new Date('2024-06-01T12:00:00Z');
  const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

  /** A video as the engine process answers for it: its path, type and the identity of the file it checked. */
  const checked = async (dir: string): Promise<MediaFile> => {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'clip.webm');
    writeFileSync(path, BYTES);
    utimesSync(path, MTIME, MTIME);
    const opened = await openIndexedFile({ path, size: BYTES.length, mtimeMs: MTIME.getTime() }, [dir]);
    assert.ok(opened.ok);
    await opened.handle.close();
    return { path, mime: 'video/webm', identity: opened.identity };
  };

  it('answers byte ranges from the file, as a video element asks for them', async () => {
    const file = await checked(join(tmp.path, 'ranges'));
    const whole = (await mediaFileResponse(file, request()))!;
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(whole.headers.get('content-type'), 'video/webm');
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), BYTES);
    const part = (await mediaFileResponse(file, request({ range: 'bytes=100-199' })))!;
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 100-199/1000');
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), BYTES.subarray(100, 200));
    const past = (await mediaFileResponse(file, request({ range: 'bytes=1000-' })))!;
    assert.equal(past.status, 416);
    const head = (await mediaFileResponse(file, request({}, 'HEAD')))!;
    assert.equal(head.headers.get('content-length'), '1000');
    assert.equal(await mediaFileResponse({ ...file, path: join(tmp.path, 'gone.webm') }, request()), null);
  });

  // The engine process checked the file; by the time the main process opens the path it may hold another.
  const swaps: Array<[string, (path: string, dir: string) => void]> = [
    ['a link to a file outside the library', (path) => (rmSync(path), symlinkSync('/etc/passwd', path))],
    [
      'a link to a copy of the same bytes and mtime',
      (path, dir) => (writeFileSync(join(dir, 'copy'), BYTES), utimesSync(join(dir, 'copy'), MTIME, MTIME), rmSync(path), symlinkSync(join(dir, 'copy'), path)),
    ],
    [
      'a copy of the same bytes and mtime renamed over it',
      (path, dir) => (writeFileSync(join(dir, 'copy'), BYTES), utimesSync(join(dir, 'copy'), MTIME, MTIME), renameSync(join(dir, 'copy'), path)),
    ],
    ['the same bytes with another mtime', (path) => utimesSync(path, MTIME, new Date(MTIME.getTime() + 1000))],
    ['a FIFO', (path) => (rmSync(path), execFileSync('mkfifo', [path]))],
    ['nothing', (path) => rmSync(path)],
  ];
  let n = 0;
  for (const [name, swap] of swaps) {
    it(`serves no range of a file the engine checked once its path holds ${name}`, { timeout: 10_000 }, async () => {
      const dir = join(tmp.path, `swap-${++n}`);
      const file = await checked(dir);
      // (A second name keeps the checked file's inode taken, so that no copy can be given its number.)
      linkSync(file.path, join(dir, 'kept'));
      swap(file.path, dir);
      for (const headers of [{}, { range: 'bytes=0-99' }] as Array<Record<string, string>>) {
        const answer = await mediaFileResponse(file, request(headers));
        assert.equal(answer, null, `served ${answer?.status ?? ''}`);
      }
    });
  }
});
