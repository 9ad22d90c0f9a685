import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { request } from 'node:http';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { after, before, describe, it } from 'node:test';
import { ApiHost } from '../../../src/main/host/api-host.js';
import { type WebServer, startWebServer } from '../../../src/main/web/server.js';
import { writeSceneVideo } from '../../../src/scenes/scene-video.js';
import { scene, tempDir, writeScene } from '../../fixtures.js';

const execFileAsync = promisify(execFile);
/** The session cookie of the server on `port`: its name carries the port. */
const cookieName = (port: number) => `glimpse_token_${port}`;
/** The indexed files' mtime: whole seconds, so that putting a file back gives the catalogued value again. */
const MTIME = new Date('2024-06-01T12:00:00Z');

describe('web mode server', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let host: ApiHost;
  let server: WebServer;
  let cookie = '';
  let goodId = 0;
  let badId = 0;
  let videoId = 0;
  let tiffId = 0;

  const call = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}api/call`, { method: 'POST', body, headers: { cookie, 'content-type': 'application/json', ...headers } });
    return { status: res.status, json: (await res.json()) as { ok: boolean; error?: string; result?: unknown } };
  };

  before(async () => {
    await writeScene(join(library, 'ok.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 800, height: 600 });
    // A format browsers do not show: served as a JPEG preview made from the file.
    await sharp(await readFile(join(library, 'ok.jpg')))
      .tiff()
      .toFile(join(library, 'scan.tif'));
    await writeFile(join(library, 'broken.jpg'), 'not an image');
    await writeSceneVideo(join(library, 'clip.webm'), [
      { scene: scene([['blue', 'square']], 'sand', 'middle', 2), seconds: 4 },
      { scene: scene([['red', 'star']], 'night', 'middle', 3), seconds: 4 },
    ]);
    for (const name of ['ok.jpg', 'scan.tif', 'clip.webm']) await utimes(join(library, name), MTIME, MTIME);
    const renderer = join(tmp.path, 'renderer');
    await mkdir(renderer);
    await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Glimpse</title>');
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', watch: false });
    host.engine.addFolder(library);
    await host.engine.update();
    goodId = host.engine.stores.photos.photoByPath(join(library, 'ok.jpg'))!.id;
    badId = host.engine.stores.photos.photoByPath(join(library, 'broken.jpg'))!.id;
    videoId = host.engine.stores.photos.photoByPath(join(library, 'clip.webm'))!.id;
    tiffId = host.engine.stores.photos.photoByPath(join(library, 'scan.tif'))!.id;
    server = await startWebServer({ host, rendererDir: renderer });
  });
  after(async () => {
    await server.close();
    await host.close();
    tmp.remove();
  });

  it('listens on the loopback interface only and wants the token', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal((await fetch(server.url)).status, 401);
    assert.equal((await fetch(`${server.url}?token=wrong`, { redirect: 'manual' })).status, 403);
    const login = await fetch(server.loginUrl, { redirect: 'manual' });
    assert.equal(login.status, 303);
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    const page = await fetch(server.url, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });

  it('answers a page opened as localhost as well as 127.0.0.1, and refuses other origins', async () => {
    const { request } = await import('node:http');
    const post = (host: string, origin: string) =>
      new Promise<number>((resolve) => {
        const req = request(
          { host: '127.0.0.1', port: server.port, path: '/api/call', method: 'POST', headers: { host, origin, cookie, 'content-type': 'application/json' } },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.end(JSON.stringify({ method: 'status', params: {} }));
      });
    assert.equal(await post(`localhost:${server.port}`, `http://localhost:${server.port}`), 200);
    assert.equal(await post(`127.0.0.1:${server.port}`, `http://127.0.0.1:${server.port}`), 200);
    assert.equal(await post(`localhost:${server.port}`, `http://localhost:${server.port + 1}`), 403);
    assert.equal(await post(`localhost:${server.port}`, 'http://localhost.evil.example'), 403);
  });

  it('refuses a request that names another host (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      request({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: 'evil.example:80', cookie } }, (res) => resolve(res.statusCode ?? 0)).end();
    });
    assert.equal(status, 421);
  });

  it('answers malformed and hostile API calls with an error, and keeps serving', async () => {
    const malformed = await call('{"method": "status", ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.ok, false);
    const unknown = await call(JSON.stringify({ method: '__proto__', params: {} }));
    assert.deepEqual(unknown.json.ok, false);
    assert.match(unknown.json.error ?? '', /unknown method/);
    const badParams = await call(JSON.stringify({ method: 'search', params: { query: 'x', limit: -5, evil: true } }));
    assert.equal(badParams.json.ok, false);
    assert.match(badParams.json.error ?? '', /^(The number of results is too small|The app sent a request about a search that Glimpse cannot read)/);
    const notAnObject = await call('42');
    assert.equal(notAnObject.json.ok, false);
    const crossOrigin = await call(JSON.stringify({ method: 'status', params: {} }), { origin: 'http://evil.example' });
    assert.equal(crossOrigin.status, 403);
    const status = await call(JSON.stringify({ method: 'status', params: {} }));
    assert.equal(status.json.ok, true);
  });

  it('serves thumbnails and images only for indexed photo ids', async () => {
    const thumb = await fetch(`${server.url}media/thumb/${goodId}`, { headers: { cookie } });
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/webp');
    const full = await fetch(`${server.url}media/full/${goodId}`, { headers: { cookie } });
    assert.equal(full.headers.get('content-type'), 'image/jpeg');
    for (const path of [`media/thumb/${badId}`, 'media/thumb/999999', 'media/full/..%2F..%2Fetc%2Fpasswd', 'media/full/-1', `media/full/${goodId}.jpg`]) {
      assert.equal((await fetch(`${server.url}${path}`, { headers: { cookie } })).status, 404, path);
    }
    const traversal = await fetch(`${server.url}..%2F..%2F..%2Fetc%2Fpasswd`, { headers: { cookie } });
    assert.doesNotMatch(await traversal.text(), /root:/);
    assert.equal((await fetch(`${server.url}media/thumb/${goodId}`)).status, 401, 'no cookie, no photo');
  });

  it('serves a video with byte ranges, so it plays from any moment', async () => {
    const whole = await fetch(`${server.url}media/full/${videoId}`, { headers: { cookie } });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/webm');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    const bytes = Buffer.from(await whole.arrayBuffer());
    const size = bytes.length;
    const part = await fetch(`${server.url}media/full/${videoId}`, { headers: { cookie, range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${size}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
    const open = await fetch(`${server.url}media/full/${videoId}`, { headers: { cookie, range: `bytes=${size - 10}-` } });
    assert.equal(open.status, 206);
    assert.deepEqual(Buffer.from(await open.arrayBuffer()), bytes.subarray(size - 10));
    const tail = await fetch(`${server.url}media/full/${videoId}`, { headers: { cookie, range: 'bytes=-5' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(size - 5));
    const past = await fetch(`${server.url}media/full/${videoId}`, { headers: { cookie, range: `bytes=${size}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${size}`);
  });

  it("serves a video's sampled frames as thumbnails, and its representative frame as its own", async () => {
    const frames = host.engine.stores.vectors.frames(host.engine.pack.id, [videoId]);
    assert.ok(frames.length >= 2);
    const last = await fetch(`${server.url}media/thumb/${videoId}/${frames.length - 1}`, { headers: { cookie } });
    assert.equal(last.status, 200);
    assert.equal(last.headers.get('content-type'), 'image/webp');
    const first = await fetch(`${server.url}media/thumb/${videoId}/0`, { headers: { cookie } });
    assert.notDeepEqual(Buffer.from(await first.arrayBuffer()), Buffer.from(await last.arrayBuffer()), 'two scenes, two frames');
    assert.equal((await fetch(`${server.url}media/thumb/${videoId}`, { headers: { cookie } })).status, 200);
    // A frame number only for thumbnails, and only of a photo that has one.
    assert.equal((await fetch(`${server.url}media/full/${videoId}/0`, { headers: { cookie } })).status, 404);
    assert.equal((await fetch(`${server.url}media/thumb/${badId}/0`, { headers: { cookie } })).status, 404);
  });

  /** A GET with the path exactly as written (fetch would normalise it), and its status and body. */
  const raw = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path, headers: { host: `127.0.0.1:${server.port}`, cookie, ...headers } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });

  it('answers a malformed percent-encoding or overlong UTF-8 in a path with 400', async () => {
    const malformed = ['/%', '/%zz', '/%E0%A4%A', '/%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd', '/%C0%AF', '/%ED%A0%80', '/%F8%80%80%80%80', '/assets/%FF.js', '/%E2%82'];
    for (const path of malformed) {
      const answer = await raw(path);
      assert.equal(answer.status, 400, `${path}: ${answer.status} ${answer.body}`);
      assert.doesNotMatch(answer.body, /URI|malformed URI|root:/, path);
    }
    assert.equal((await raw('/index%2Ehtml')).status, 200, 'a well-formed encoding is not refused');
    // A request target that is no URL at all: 400, and an upgrade to one is refused without bringing the server down.
    assert.equal((await raw('http://[')).status, 400);
    const upgrade = await new Promise<string>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: server.port,
        path: 'http://[',
        headers: { host: `127.0.0.1:${server.port}`, cookie, connection: 'Upgrade', upgrade: 'websocket' },
      });
      req.on('response', (res) => resolve(String(res.statusCode)));
      req.on('upgrade', () => resolve('upgraded'));
      req.on('error', (error) => resolve(error.message));
      req.end();
    });
    assert.equal(upgrade, '403');
    assert.equal((await raw('/')).status, 200, 'still serving');
  });

  it("sends media under a same-origin resource policy, and refuses a page of another origin's loads", async () => {
    const thumb = `/media/thumb/${goodId}`;
    for (const path of [thumb, `/media/full/${goodId}`, '/media/full/999999']) {
      const res = await fetch(`${server.url}${path.slice(1)}`, { headers: { cookie } });
      assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin', path);
      await res.arrayBuffer();
    }
    // What Chromium sends: `same-origin` from the app's own page, `none` for an address typed or opened;
    // another service on 127.0.0.1 (another port) is `same-site`, any other page `cross-site`.
    const sites: Array<[string, number]> = [
      ['same-origin', 200],
      ['none', 200],
      ['same-site', 403],
      ['cross-site', 403],
      ['Same-Origin', 403],
      ['', 403],
    ];
    for (const [site, status] of sites) {
      const answer = await raw(thumb, { 'sec-fetch-site': site });
      assert.equal(answer.status, status, `Sec-Fetch-Site: ${site}`);
    }
    const refused = await raw(`/media/full/${videoId}`, { 'sec-fetch-site': 'same-site', range: 'bytes=0-99' });
    assert.equal(refused.status, 403);
  });

  // Item 2 of issue 25: a photo id names a path, and until the watcher rescans, that path may hold
  // another file. Each change below is made to an indexed file, then undone (the same bytes and mtime).
  describe('media only while the path holds the file that was indexed', () => {
    const secret = () => join(tmp.path, 'secret.txt');
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers: { cookie, ...headers }, signal: AbortSignal.timeout(5000) });
    const outsideOfSameSizeAndMtime = async () => {
      const { size } = await stat(join(tmp.path, 'original'));
      await writeFile(secret(), Buffer.alloc(size, 'root:x:0:0:root:/root:/bin/bash\n'));
      await utimes(secret(), MTIME, MTIME);
      return secret();
    };
    /** Each way the file at `file` can stop being the one indexed; `served` ones still are. */
    const changes: Array<{ name: string; served?: true; change: (file: string) => Promise<unknown> }> = [
      { name: 'a link to a file outside the library (same size and mtime)', change: async (file) => symlink(await outsideOfSameSizeAndMtime(), file) },
      { name: 'a link to /etc/passwd', change: (file) => symlink('/etc/passwd', file) },
      { name: 'a FIFO', change: (file) => execFileAsync('mkfifo', [file]) },
      { name: 'a folder', change: (file) => mkdir(file) },
      { name: 'nothing (deleted)', change: async () => undefined },
      {
        name: 'the same size with another mtime',
        change: async (file) => {
          await copyFile(join(tmp.path, 'original'), file);
          await utimes(file, MTIME, new Date(MTIME.getTime() + 60_000));
        },
      },
      {
        name: 'a link to a copy inside the library folder',
        served: true,
        change: async (file) => {
          await mkdir(join(library, 'sub'), { recursive: true });
          const copy = join(library, 'sub', `copy${extname(file)}`);
          await copyFile(join(tmp.path, 'original'), copy);
          await utimes(copy, MTIME, MTIME);
          await symlink(copy, file);
        },
      },
    ];
    /** Replaces `file` (kept aside as `original`) by the change, runs `check`, then puts the file back. */
    const changed = async (file: string, change: (file: string) => Promise<unknown>, check: () => Promise<void>) => {
      await rename(file, join(tmp.path, 'original'));
      try {
        await change(file);
        await check();
      } finally {
        await rm(file, { recursive: true, force: true });
        await rename(join(tmp.path, 'original'), file);
        await utimes(file, MTIME, MTIME);
        await rm(join(library, 'sub'), { recursive: true, force: true });
      }
    };
    /** Drops a photo's cached thumbnail, so that the next request makes it from the file. */
    const forgetThumbnail = (id: number) => rm(host.engine.thumbnails.path(id, host.engine.stores.photos.photo(id)!.hash!), { force: true });

    for (const { name, served, change } of changes) {
      it(`${served ? 'serves' : 'refuses'} a photo replaced by ${name}`, async () => {
        const file = join(library, 'ok.jpg');
        const original = await readFile(file);
        await changed(file, change, async () => {
          const full = await get(`media/full/${goodId}`);
          const body = Buffer.from(await full.arrayBuffer());
          if (served) {
            assert.equal(full.status, 200);
            assert.deepEqual(body, original);
          } else {
            assert.equal(full.status, 404, `answered ${full.status}: ${body.subarray(0, 40).toString()}`);
            assert.equal(body.toString(), 'no such photo', 'a plain reason: no path, no error message');
          }
          // The cached thumbnail is named by content and still shown; one made again reads the file itself.
          assert.equal((await get(`media/thumb/${goodId}`)).status, 200);
          await forgetThumbnail(goodId);
          const thumb = await get(`media/thumb/${goodId}`);
          assert.equal(thumb.status, served ? 200 : 404);
          if (served) assert.equal(thumb.headers.get('content-type'), 'image/webp');
        });
        await forgetThumbnail(goodId);
        assert.equal((await get(`media/thumb/${goodId}`)).status, 200, 'made again once the file is back');
        assert.deepEqual(Buffer.from(await (await get(`media/full/${goodId}`)).arrayBuffer()), original);
      });

      it(`${served ? 'serves' : 'refuses'} a video's byte ranges and first frame once it is replaced by ${name}`, async () => {
        const file = join(library, 'clip.webm');
        await changed(file, change, async () => {
          const part = await get(`media/full/${videoId}`, { range: 'bytes=0-99' });
          assert.equal(part.status, served ? 206 : 404);
          await part.arrayBuffer();
          await forgetThumbnail(videoId);
          // A video's lost thumbnail is made from its first frame, decoded from the checked descriptor.
          const thumb = await get(`media/thumb/${videoId}`);
          assert.equal(thumb.status, served ? 200 : 404);
          await thumb.arrayBuffer();
        });
      });
    }

    it('refuses to make the preview of a format browsers do not show from a file that is not the one indexed', async () => {
      const file = join(library, 'scan.tif');
      await rm(join(host.engine.dataDir, 'previews'), { recursive: true, force: true });
      await changed(file, changes[0]!.change, async () => {
        const preview = await get(`media/full/${tiffId}`);
        assert.equal(preview.status, 404);
        assert.doesNotMatch(await preview.text(), /root:/);
      });
      const preview = await get(`media/full/${tiffId}`);
      assert.equal(preview.status, 200);
      assert.equal(preview.headers.get('content-type'), 'image/jpeg');
      assert.equal((await sharp(Buffer.from(await preview.arrayBuffer())).metadata()).format, 'jpeg');
    });
  });
});

describe('web mode beside another Glimpse (or another service) on 127.0.0.1', () => {
  const tmp = tempDir();
  let host: ApiHost;
  let first: WebServer;
  let second: WebServer;
  let closed = false;

  before(async () => {
    const renderer = join(tmp.path, 'renderer');
    await mkdir(renderer);
    await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Glimpse</title>');
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', watch: false });
    first = await startWebServer({ host, rendererDir: renderer });
    second = await startWebServer({ host, rendererDir: renderer });
  });
  after(async () => {
    await first.close();
    await second.close();
    if (!closed) await host.close();
    tmp.remove();
  });

  it('names its cookie after its port, so that two servers keep their own sessions in one browser', async () => {
    // A browser keeps one cookie per name for 127.0.0.1 whatever the port, and sends all of them to every port.
    const jar = new Map<string, string>();
    const login = async (server: WebServer) => {
      const res = await fetch(server.loginUrl, { redirect: 'manual' });
      const [pair] = (res.headers.get('set-cookie') ?? '').split(';');
      const [name = '', value = ''] = pair!.split('=');
      jar.set(name, value);
      return name;
    };
    assert.equal(await login(first), cookieName(first.port));
    assert.equal(await login(second), cookieName(second.port));
    assert.notEqual(cookieName(first.port), cookieName(second.port));
    const cookies = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    for (const server of [first, second]) assert.equal((await fetch(server.url, { headers: { cookie: cookies } })).status, 200, `${server.port} keeps its session`);
    // One server's cookie is nothing to the other.
    assert.equal((await fetch(first.url, { headers: { cookie: `${cookieName(second.port)}=${second.token}` } })).status, 401);
    assert.equal((await fetch(first.url, { headers: { cookie: `${cookieName(first.port)}=${second.token}` } })).status, 401);
  });

  it('answers a failure with a plain 500 and logs the detail, never sending it', async (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    await host.close(); // the catalogue is closed: looking up a photo throws
    closed = true;
    const res = await fetch(`${first.url}media/full/1`, { headers: { 'x-glimpse-token': first.token } });
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'internal error');
    assert.ok(
      logged.mock.calls.some((call) => String(call.arguments[0]).includes('database')),
      'the detail is in the log',
    );
  });
});
