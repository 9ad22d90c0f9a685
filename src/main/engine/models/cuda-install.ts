import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { onnxruntimeBinDir } from './providers.js';

/**
 * onnxruntime's CUDA provider for Linux x64 is too large for npm; onnxruntime-node's own postinstall
 * fetches it from NuGet (Microsoft.ML.OnnxRuntime.Gpu.Linux, the same version as the runtime) and
 * copies three libraries beside libonnxruntime.so. This does the same on request, with progress, a
 * verified package, and an error that says what to do when it cannot, so `npm ci` never needs the network
 * for it. The files are the ones onnxruntime-node's install-metadata.js names.
 */
export const NUGET_INDEX = 'https://api.nuget.org/v3/index.json';
const PACKAGE = 'Microsoft.ML.OnnxRuntime.Gpu.Linux';
const FILES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'];
const IN_PACKAGE = 'runtimes/linux-x64/native/';

export class CudaInstallError extends Error {
  override name = 'CudaInstallError';
}

export interface CudaInstallProgress {
  phase: 'resolving' | 'downloading' | 'verifying' | 'installing';
  bytes: number;
  total: number | null;
}

export interface CudaInstallOptions {
  /** A NuGet v3 service index (a mirror, or the tests' server); also GLIMPSE_NUGET_INDEX. */
  feedIndex?: string;
  /** Where onnxruntime loads its providers from (default: onnxruntime-node's own folder). */
  binDir?: string;
  /** The runtime's version (default: the installed onnxruntime-node's). */
  version?: string;
  platform?: string;
  signal?: AbortSignal;
  onProgress?: (progress: CudaInstallProgress) => void;
}

/** The onnxruntime version the installed onnxruntime-node was built with; its CUDA provider must match. */
export function onnxruntimeVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('onnxruntime-node/package.json') as { version: string }).version;
}

async function getJson(url: string, what: string, signal: AbortSignal | undefined): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (error) {
    throw new CudaInstallError(
      `cannot reach ${new URL(url).host} for ${what} (${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}). ` +
        'Installing the CUDA provider needs the internet once, or a NuGet mirror: --feed <index.json> or GLIMPSE_NUGET_INDEX',
    );
  }
  if (!response.ok) throw new CudaInstallError(`${what}: ${url} answered HTTP ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new CudaInstallError(`${what}: ${url} did not answer with JSON`);
  }
}

function resource(index: unknown, type: string, feed: string): string {
  const resources = (index as { resources?: Array<{ '@id'?: string; '@type'?: string }> }).resources ?? [];
  const found = resources.find((r) => r['@type'] === type)?.['@id'];
  if (!found) throw new CudaInstallError(`the NuGet feed ${feed} does not offer ${type}`);
  return found.endsWith('/') ? found : `${found}/`;
}

/** The package's URL and its SHA-512 as the feed's catalogue records it (nuget.org publishes both). */
async function resolvePackage(feed: string, version: string, signal: AbortSignal | undefined): Promise<{ url: string; sha512: string; size: number | null }> {
  const index = await getJson(feed, 'the NuGet service index', signal);
  const id = PACKAGE.toLowerCase();
  const v = version.toLowerCase();
  const contentBase = resource(index, 'PackageBaseAddress/3.0.0', feed);
  const versions = ((await getJson(`${contentBase}${id}/index.json`, `the versions of ${PACKAGE}`, signal)) as { versions?: string[] }).versions ?? [];
  if (!versions.includes(v))
    throw new CudaInstallError(`${PACKAGE} ${version} is not on ${feed} (it has ${versions.slice(-3).join(', ') || 'none'}); onnxruntime-node ${version} needs exactly that version`);
  const registrationBase = resource(index, 'RegistrationsBaseUrl/3.6.0', feed);
  const leaf = (await getJson(`${registrationBase}${id}/${v}.json`, `the registration of ${PACKAGE} ${version}`, signal)) as { catalogEntry?: string };
  if (typeof leaf.catalogEntry !== 'string') throw new CudaInstallError(`the registration of ${PACKAGE} ${version} names no catalogue entry, so the package cannot be verified`);
  const entry = (await getJson(leaf.catalogEntry, `the catalogue entry of ${PACKAGE} ${version}`, signal)) as {
    packageHash?: string;
    packageHashAlgorithm?: string;
    packageSize?: number;
  };
  if (entry.packageHashAlgorithm?.toUpperCase() !== 'SHA512' || typeof entry.packageHash !== 'string')
    throw new CudaInstallError(`the catalogue entry of ${PACKAGE} ${version} gives no SHA-512, so the package cannot be verified`);
  return {
    url: `${contentBase}${id}/${v}/${id}.${v}.nupkg`,
    sha512: Buffer.from(entry.packageHash, 'base64').toString('hex'),
    size: typeof entry.packageSize === 'number' ? entry.packageSize : null,
  };
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(path, { lazyEntries: true, validateEntrySizes: true }, (error, zip) => (error ? reject(error) : resolve(zip))));
}

/** Copies the named entries of a zip into `dir` (CRC-32 and sizes checked by yauzl). */
async function extract(zipPath: string, wanted: Map<string, string>, dir: string): Promise<string[]> {
  const zip = await openZip(zipPath);
  const written: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = wanted.get(entry.fileName);
        if (!name) return zip.readEntry();
        zip
          .openReadStreamPromise(entry)
          .then((stream) => pipeline(stream, createWriteStream(join(dir, name))))
          .then(() => {
            written.push(name);
            zip.readEntry();
          }, reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return written;
}

/**
 * Downloads onnxruntime's CUDA provider from NuGet, verifies the package against the feed's SHA-512,
 * and installs its libraries beside onnxruntime's own (each written aside, then renamed into place).
 */
export async function installCudaProvider(options: CudaInstallOptions = {}): Promise<{ version: string; files: string[]; binDir: string }> {
  const platform = options.platform ?? `${process.platform}/${process.arch}`;
  if (platform !== 'linux/x64')
    throw new CudaInstallError(
      `onnxruntime publishes its CUDA provider for Node on Linux x64 only (this is ${platform}); on Windows DirectML and on macOS Core ML are built in, and WebGPU everywhere`,
    );
  const feed = options.feedIndex ?? process.env.GLIMPSE_NUGET_INDEX ?? NUGET_INDEX;
  const version = options.version ?? onnxruntimeVersion();
  const binDir = options.binDir ?? onnxruntimeBinDir();
  const report = options.onProgress ?? (() => undefined);
  report({ phase: 'resolving', bytes: 0, total: null });
  const { url, sha512, size } = await resolvePackage(feed, version, options.signal);

  const work = await mkdtemp(join(tmpdir(), 'glimpse-cuda-'));
  try {
    const nupkg = join(work, basename(new URL(url).pathname));
    let response: Response;
    try {
      response = await fetch(url, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      throw new CudaInstallError(`cannot download ${url} (${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message})`);
    }
    if (!response.ok || !response.body) throw new CudaInstallError(`download of ${url} failed: HTTP ${response.status}`);
    const total = size ?? (Number(response.headers.get('content-length')) || null);
    const hash = createHash('sha512');
    let bytes = 0;
    let last = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        if (bytes - last > 1 << 20 || bytes === total) {
          last = bytes;
          report({ phase: 'downloading', bytes, total });
        }
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), counter, createWriteStream(nupkg));
    report({ phase: 'verifying', bytes, total });
    const actual = hash.digest('hex');
    if (actual !== sha512)
      throw new CudaInstallError(`the downloaded ${PACKAGE} ${version} does not match the feed's SHA-512 (${sha512.slice(0, 16)}…, got ${actual.slice(0, 16)}…); nothing was installed`);

    report({ phase: 'installing', bytes, total });
    const staged = join(work, 'lib');
    await mkdir(staged);
    const written = await extract(nupkg, new Map(FILES.map((f) => [`${IN_PACKAGE}${f}`, f])), staged);
    const absent = FILES.filter((f) => !written.includes(f));
    if (absent.length) throw new CudaInstallError(`${PACKAGE} ${version} does not hold ${absent.join(', ')}; nothing was installed`);
    try {
      await mkdir(binDir, { recursive: true });
      // Copied beside the target, then renamed: onnxruntime never sees half a library.
      for (const file of FILES) await copyFile(join(staged, file), join(binDir, `.${file}.new`));
      for (const file of FILES) await rename(join(binDir, `.${file}.new`), join(binDir, file));
    } catch (error) {
      await Promise.all(FILES.map((file) => rm(join(binDir, `.${file}.new`), { force: true })));
      const code = (error as NodeJS.ErrnoException).code;
      throw new CudaInstallError(
        `cannot write onnxruntime's folder ${binDir} (${code ?? (error as Error).message})` +
          (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? ': run the command as the user who installed Glimpse' : ''),
      );
    }
    return { version, files: FILES, binDir };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
