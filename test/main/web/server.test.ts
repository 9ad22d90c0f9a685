import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiHost } from '../../../src/main/host/api-host.js';
import { type WebServer, startWebServer } from '../../../src/main/web/server.js';
import { writeSceneVideo } from '../../../src/main/engine/scenes/scene-video.js';
import { scene, tempDir, writeScene } from '../../fixtures.js';

describe('web mode server', () => {
  const tmp = tempDir();
  const library = join(tmp.path, 'Photos');
  let host: ApiHost;
  let server: WebServer;
  let cookie = '';
  let goodId = 0;
  let badId = 0;
  let videoId = 0;

  const call = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}api/call`, { method: 'POST', body, headers: { cookie, 'content-type': 'application/json', ...headers } });
    return { status: res.status, json: (await res.json()) as { ok: boolean; error?: string; result?: unknown } };
  };

  before(async () => {
    await writeScene(join(library, 'ok.jpg'), scene([['red', 'circle']], 'grass', 'left', 1), { width: 800, height: 600 });
    await writeFile(join(library, 'broken.jpg'), 'not an image');
    await writeSceneVideo(join(library, 'clip.webm'), [
      { scene: scene([['blue', 'square']], 'sand', 'middle', 2), seconds: 4 },
      { scene: scene([['red', 'star']], 'night', 'middle', 3), seconds: 4 },
    ]);
    const renderer = join(tmp.path, 'renderer');
    await mkdir(renderer);
    await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Glimpse</title>');
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', watch: false });
    host.engine.addFolder(library);
    await host.engine.update();
    goodId = host.engine.catalog.photoByPath(join(library, 'ok.jpg'))!.id;
    badId = host.engine.catalog.photoByPath(join(library, 'broken.jpg'))!.id;
    videoId = host.engine.catalog.photoByPath(join(library, 'clip.webm'))!.id;
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
    assert.match(badParams.json.error ?? '', /bad search call/);
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
    const frames = host.engine.catalog.frames(host.engine.pack.id, [videoId]);
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
});
