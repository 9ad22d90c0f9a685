import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import yazl from 'yazl';
import { CudaInstallError, type CudaInstallProgress, installCudaProvider } from '../../../../src/main/engine/models/cuda-install.js';
import { tempDir } from '../../../fixtures.js';

const VERSION = '1.30.0';
const ID = 'microsoft.ml.onnxruntime.gpu.linux';
const LIBS = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'];

/** A .nupkg (a zip) laid out as NuGet's Microsoft.ML.OnnxRuntime.Gpu.Linux is, with stand-in library bytes. */
function nupkg(files: Record<string, Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('<package/>'), `${ID}.nuspec`);
  for (const [path, bytes] of Object.entries(files)) zip.addBuffer(bytes, path);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/**
 * A NuGet v3 feed as nuget.org serves one: the service index, PackageBaseAddress (versions and the
 * .nupkg), and RegistrationsBaseUrl, whose leaf points at a catalogue entry with the package's SHA-512.
 */
class NugetFeed {
  server: Server = createServer((req, res) => this.handle(req.url ?? '/', res));
  package: Buffer = Buffer.alloc(0);
  /** What the catalogue says the hash is (the real one unless a test lies). */
  publishedHash: string | null = null;
  requests: string[] = [];

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(path: string, res: import('node:http').ServerResponse): void {
    this.requests.push(path);
    const json = (body: unknown) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const hash = this.publishedHash ?? createHash('sha512').update(this.package).digest('base64');
    if (path === '/v3/index.json')
      return json({
        version: '3.0.0',
        resources: [
          { '@id': `${this.url}/v3-flatcontainer/`, '@type': 'PackageBaseAddress/3.0.0' },
          { '@id': `${this.url}/v3/registration5-semver1/`, '@type': 'RegistrationsBaseUrl/3.6.0' },
        ],
      });
    if (path === `/v3-flatcontainer/${ID}/index.json`) return json({ versions: ['1.29.0', VERSION] });
    if (path === `/v3/registration5-semver1/${ID}/${VERSION}.json`) return json({ catalogEntry: `${this.url}/v3/catalog0/data/${ID}.${VERSION}.json` });
    if (path === `/v3/catalog0/data/${ID}.${VERSION}.json`) return json({ packageHash: hash, packageHashAlgorithm: 'SHA512', packageSize: this.package.length });
    if (path === `/v3-flatcontainer/${ID}/${VERSION}/${ID}.${VERSION}.nupkg`)
      return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': this.package.length }).end(this.package);
    res.writeHead(404).end();
  }

}

describe("installing onnxruntime's CUDA provider from a NuGet feed", () => {
  const feed = new NugetFeed();
  const tmp = tempDir();
  const libraryBytes = Object.fromEntries(LIBS.map((f, i) => [f, Buffer.from(`\x7fELF stand-in ${f} ${i}`.repeat(5000))]));

  before(async () => {
    feed.package = await nupkg(Object.fromEntries(LIBS.map((f) => [`runtimes/linux-x64/native/${f}`, libraryBytes[f]!])));
    await new Promise<void>((resolve) => feed.server.listen(0, '127.0.0.1', resolve));
  });
  after(() => {
    feed.server.close();
    tmp.remove();
  });

  const install = (binDir: string, progress: CudaInstallProgress[] = []) =>
    installCudaProvider({ feedIndex: `${feed.url}/v3/index.json`, binDir, version: VERSION, platform: 'linux/x64', onProgress: (p) => progress.push(p) });

  it('installs the three libraries beside onnxruntime, byte for byte, reporting progress', async () => {
    const binDir = join(tmp.path, 'ok');
    const progress: CudaInstallProgress[] = [];
    const result = await install(binDir, progress);
    assert.deepEqual(result.files, LIBS);
    for (const lib of LIBS) assert.ok(readFileSync(join(binDir, lib)).equals(libraryBytes[lib]!), `${lib} is the package's`);
    assert.deepEqual(readdirSync(binDir).sort(), [...LIBS].sort(), 'and nothing else (no staging files left)');
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['resolving', 'downloading', 'verifying', 'installing']);
    const last = progress.filter((p) => p.phase === 'downloading').pop()!;
    assert.equal(last.bytes, feed.package.length);
    assert.equal(last.total, feed.package.length);
  });

  it('refuses a package that does not match the published SHA-512 and installs nothing', async () => {
    feed.publishedHash = createHash('sha512').update('something else').digest('base64');
    try {
      const binDir = join(tmp.path, 'tampered');
      await assert.rejects(install(binDir), (error: Error) => error instanceof CudaInstallError && /does not match the feed's SHA-512.*nothing was installed/.test(error.message));
      assert.equal(existsSync(join(binDir, LIBS[0]!)), false);
    } finally {
      feed.publishedHash = null;
    }
  });

  it('says which version is missing when the feed lacks the one onnxruntime-node needs', async () => {
    await assert.rejects(
      installCudaProvider({ feedIndex: `${feed.url}/v3/index.json`, binDir: join(tmp.path, 'v'), version: '9.9.9', platform: 'linux/x64' }),
      /9\.9\.9 is not on .* \(it has 1\.29\.0, 1\.30\.0\); onnxruntime-node 9\.9\.9 needs exactly that version/,
    );
  });

  it('says plainly that it needs the internet (or a mirror) when the feed cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      installCudaProvider({ feedIndex: `http://127.0.0.1:${port}/v3/index.json`, binDir: join(tmp.path, 'offline'), version: VERSION, platform: 'linux/x64' }),
      /cannot reach 127\.0\.0\.1:\d+ for the NuGet service index \(.*ECONNREFUSED.*\)\. Installing the CUDA provider needs the internet once, or a NuGet mirror/,
    );
  });

  it('explains that other platforms have their GPU provider built in', async () => {
    await assert.rejects(installCudaProvider({ platform: 'darwin/arm64' }), /Linux x64 only .* macOS Core ML are built in/);
  });

  it('refuses a package without the libraries rather than installing part of it', async () => {
    const saved = feed.package;
    feed.package = await nupkg({ [`runtimes/linux-x64/native/${LIBS[0]}`]: libraryBytes[LIBS[0]!]! });
    try {
      const binDir = join(tmp.path, 'partial');
      await assert.rejects(install(binDir), /does not hold libonnxruntime_providers_shared\.so, libonnxruntime_providers_tensorrt\.so; nothing was installed/);
      assert.equal(existsSync(binDir), false);
    } finally {
      feed.package = saved;
    }
  });
});
