// The model manager as a user meets it through the API: the real catalogue of packs said in a user's
// words (what each pack is, its size, its licence), and a download that cannot reach its site (a closed
// port, a name that does not resolve, a CDN gone, a connection broken part-way) said as a person would,
// flagged so the app can offer the ways to install without the site.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ModelInfo } from '../../../src/shared/api.js';
import { downloadSizeText } from '../../../src/shared/download-size.js';
import { ApiHost } from '../../../src/main/host/api-host.js';
import { type DownloadState, PackDownloads } from '../../../src/main/engine/models/downloads.js';
import { catalogueOfPacks } from '../../../src/main/engine/models/store.js';
import { DEVELOPER_WORDING, tempDir } from '../../fixtures.js';
import { FakeHub, unpinnedManifest } from '../engine/models/fake-hub.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function finished(downloads: PackDownloads): Promise<DownloadState> {
  return new Promise((resolve) => {
    const listener = (s: DownloadState) => {
      if (s.phase !== 'failed' && s.phase !== 'installed') return;
      downloads.off('change', listener);
      resolve(s);
    };
    downloads.on('change', listener);
  });
}

describe('the models a user is offered (the real catalogue, models/packs)', () => {
  const tmp = tempDir();
  let host: ApiHost;
  let models: ModelInfo[];
  before(async () => {
    delete process.env.GLIMPSE_PACK_CATALOGUE;
    host = await ApiHost.open({ dataDir: join(tmp.path, 'data'), device: 'cpu', watch: false });
    const reply = await host.handle('models', {});
    assert.ok(reply.ok);
    models = reply.result as ModelInfo[];
  });
  after(async () => {
    await host.close();
    tmp.remove();
  });

  it('lists the bundled pack and every pack of the catalogue', async () => {
    const catalogue = await catalogueOfPacks();
    assert.ok(catalogue.length >= 2);
    assert.deepEqual(models.map((m) => m.id).sort(), ['tiny-coca', ...catalogue.map((m) => m.id)].sort());
  });

  it('says what each pack is in words for users, nothing about how Glimpse was built', () => {
    for (const m of models) {
      for (const text of [m.name, m.description, m.licence]) assert.doesNotMatch(text, DEVELOPER_WORDING, `${m.id}: ${text}`);
      assert.ok(m.description.length > 20, `${m.id} says what it is`);
      assert.ok(m.licence.length > 0, `${m.id} has a licence`);
      assert.doesNotMatch(m.name, /bundled/i, 'being bundled is said once, by whoever shows it');
    }
  });

  it('gives every downloadable pack a size a user can weigh, from its manifest', async () => {
    const catalogue = await catalogueOfPacks();
    for (const m of models.filter((x) => !x.bundled)) {
      const manifest = catalogue.find((c) => c.id === m.id)!;
      assert.ok(m.size, `${m.id} has a size`);
      const text = downloadSizeText(m.size)!;
      assert.match(text, /^(about )?\d+(\.\d)? (MB|GB)$/, `${m.id}: ${text}`);
      // Unpinned packs show the manifest's figure, rounded, and say it is approximate.
      if (!m.size.exact) {
        assert.equal(m.size.bytes, manifest.downloadSize?.about);
        assert.match(text, /^about /);
        const [, figure, unit] = /^about ([\d.]+) (MB|GB)$/.exec(text)!;
        const shown = Number(figure) * (unit === 'GB' ? 1e9 : 1e6);
        assert.ok(Math.abs(shown - m.size.bytes) / m.size.bytes < 0.05, `${text} is within 5% of ${m.size.bytes} bytes`);
      }
    }
  });
});

describe('a download that cannot reach its site', () => {
  const tmp = tempDir();
  const hub = new FakeHub();
  before(() => hub.start());
  after(() => {
    hub.stop();
    tmp.remove();
  });

  async function fail(baseUrl: string, name: string): Promise<DownloadState> {
    const downloads = new PackDownloads(join(tmp.path, name), { baseUrl });
    const end = finished(downloads);
    downloads.start(await unpinnedManifest());
    const state = await end;
    assert.equal(state.phase, 'failed');
    return state;
  }

  it('says a closed port refused the connection', async () => {
    const port = await closedPort();
    const state = await fail(`http://127.0.0.1:${port}`, 'closed');
    assert.equal(state.error, `Glimpse could not reach 127.0.0.1:${port}: it refused the connection (the site is down, or a mirror is not running).`);
    assert.equal(state.unreachable, true);
  });

  it('says the computer seems offline when the name does not resolve', async () => {
    const state = await fail('http://huggingface.invalid', 'unresolvable');
    assert.equal(state.error, 'Glimpse could not reach huggingface.invalid: this computer seems to be offline, or huggingface.invalid cannot be found from this network.');
    assert.equal(state.unreachable, true);
    assert.doesNotMatch(state.error, /getaddrinfo|ENOTFOUND|EAI_AGAIN|fetch failed/);
  });

  it('names the download server when the site answers but its CDN cannot be reached', async () => {
    const cdn = new URL(hub.url('cdn')).host;
    await hub.closeCdn();
    const state = await fail(hub.url('hub'), 'cdn-gone');
    assert.match(state.error ?? '', new RegExp(`^Glimpse could not reach ${cdn.replace('.', '\\.')}: it refused the connection`));
    assert.equal(state.unreachable, true);
  });

  it('says a connection broken part-way keeps what arrived, and a failed check is not "unreachable"', async () => {
    const cut = new FakeHub();
    await cut.start();
    try {
      cut.behaviour = { hashes: 'true', cutOnce: { path: 'onnx/vision_model.onnx', after: 300_000 } };
      const state = await fail(cut.url('hub'), 'cut');
      assert.match(
        state.error ?? '',
        /^The connection to localhost:\d+ broke part-way through onnx\/vision_model\.onnx \(\d+ kB of it arrived and are kept\): this computer may have gone offline\. Trying again continues from there\.$/,
      );
      assert.equal(state.unreachable, true);
      cut.behaviour = { hashes: 'wrong-lfs' };
      const corrupt = await fail(cut.url('hub'), 'corrupt');
      assert.match(corrupt.error ?? '', /is corrupt/);
      assert.equal(corrupt.unreachable, false);
    } finally {
      cut.stop();
    }
  });
});
