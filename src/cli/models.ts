import { join } from 'node:path';
import type { Command } from 'commander';
import type { GlimpseEngine } from '../main/engine/engine.js';
import { readSettings } from '../main/engine/core/settings.js';
import { downloadPack } from '../main/engine/models/download.js';
import { catalogueOfPacks, importPack, listPacks, resolvePack } from '../main/engine/models/store.js';
import { type PackManifest, packDownloadSize } from '../main/engine/models/manifest.js';
import { recommendedPack, systemLanguage } from '../main/engine/models/recommend.js';
import { measuredCosts } from '../main/engine/models/measured-cost.js';
import { languagesText, packFigures } from '../shared/pack-figures.js';
import { DATE_LANGUAGES } from '../main/engine/search/query-languages.js';
import { SiteUnreachable } from '../main/engine/models/unreachable.js';
import { downloadSizeText } from '../shared/download-size.js';
import { offlineRoutes } from '../shared/offline-routes.js';
import { shown } from './format.js';

/** `glimpse models`: list, download, import and choose model packs. */
export function registerModelCommands(program: Command, dataDir: () => string, withWriter: (work: (engine: GlimpseEngine) => Promise<void>) => Promise<void>): void {
  const packsDir = () => join(dataDir(), 'models');
  const models = program.command('models').description('list, download, import and choose model packs');

  models
    .command('list', { isDefault: true })
    .description('installed and downloadable packs')
    .action(async () => {
      const active = readSettings(dataDir()).model;
      const installed = await listPacks(packsDir());
      const catalogue = await catalogueOfPacks();
      const language = systemLanguage();
      const everyPack = [...installed.flatMap((p) => ('manifest' in p && p.manifest ? [p.manifest] : [])), ...catalogue];
      const recommended = recommendedPack(everyPack, language) ?? recommendedPack(everyPack, 'en');
      /** The pack's measured cost and published quality, and why it is recommended, under its line. */
      const here = measuredCosts(dataDir());
      const details = (m: PackManifest) => {
        const measuredHere = here[m.id] ? { msPerPhoto: here[m.id]!.msPerPhoto, photos: here[m.id]!.photos } : null;
        const figures = packFigures({ cost: m.cost ?? null, quality: m.quality ?? null, captions: m.captioner !== undefined, measuredHere }, language);
        console.log(`      Searches in: ${shown(languagesText({ languages: m.text.languages, timesReadIn: m.text.languages.filter((l) => DATE_LANGUAGES.includes(l)) }))}`);
        if (figures) console.log(`      ${shown(figures)}`);
        if (recommended?.id === m.id) console.log(`      Recommended: ${shown(recommended.reason)}`);
      };
      const ids = new Set<string>();
      console.log('Installed:');
      for (const p of installed) {
        ids.add(p.id);
        if ('error' in p && p.error) console.log(`  ${p.id}  BROKEN: ${shown(p.error)}`);
        else if ('manifest' in p && p.manifest) {
          const about = [p.manifest.name === p.id ? null : p.manifest.name, p.bundled ? 'comes with Glimpse' : null, `licence ${p.manifest.licence}`];
          console.log(`${p.id === active ? '* ' : '  '}${shown(p.id.padEnd(16))} ${shown(about.filter(Boolean).join(', '))}`);
          details(p.manifest);
        }
      }
      const available = catalogue.filter((m) => !ids.has(m.id));
      if (available.length) {
        console.log('Downloadable (glimpse models download <id>):');
        for (const m of available) {
          const size = downloadSizeText(packDownloadSize(m));
          console.log(
            `${recommended?.id === m.id ? '+ ' : '  '}${m.id.padEnd(16)} ${shown(m.name)}, ${size ?? 'size shown once the download starts'}, licence ${shown(m.licence)}`,
          );
          details(m);
        }
      }
    });

  models
    .command('download')
    .description('download a pack (resumes an interrupted download; verifies every file)')
    .argument('<id>')
    .option('--base-url <url>', 'a mirror of huggingface.co (also: GLIMPSE_MODEL_BASE_URL)')
    .action(async (id: string, o: { baseUrl?: string }) => {
      const manifest = (await catalogueOfPacks()).find((m) => m.id === id);
      if (!manifest) throw new Error(`no downloadable pack called ${id}; see glimpse models list`);
      let last = 0;
      let dir: string;
      try {
        dir = await downloadPack(manifest, {
          packsDir: packsDir(),
          ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
          onProgress: (p) => {
            const now = Date.now();
            if (now - last < 500) return;
            last = now;
            const total = p.total ? ` of ${(p.total / 1e6).toFixed(0)} MB` : '';
            process.stderr.write(`\r\x1b[2K${p.file}: ${(p.bytes / 1e6).toFixed(1)} MB${total}`);
          },
        });
      } catch (error) {
        if (last > 0) process.stderr.write('\n');
        if (!(error instanceof SiteUnreachable)) throw error;
        // Said here, over several lines (the main error handler prints one): what happened, then the ways round it.
        console.error(`glimpse: ${shown(error.message)}\nTo install ${id} without reaching ${shown(error.host)}:`);
        for (const route of offlineRoutes(id)) console.error(`  - ${route}`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write('\n');
      console.log(`Installed ${shown(manifest.name)} in ${shown(dir)}. Use it with: glimpse models use ${id}`);
    });

  models
    .command('import')
    .description('install a pack from a folder (offline), checking its files against its manifest')
    .argument('<dir>')
    .action(async (dir: string) => {
      const installed = await importPack(dir, packsDir());
      console.log(`Imported ${shown(installed)}.`);
    });

  models
    .command('use')
    .description('switch the library to an installed pack: embeds every photo with it (search keeps the old one until done)')
    .argument('<id>')
    .action(async (id: string) => {
      await resolvePack(packsDir(), id);
      await withWriter(async (engine) => {
        const progress = process.stderr.isTTY ? (await import('./progress.js')).createProgressReporter() : undefined;
        try {
          const { switched, indexing } = await engine.switchModel(id, progress ? { onProgress: progress.update } : {});
          progress?.stop();
          if (switched)
            console.log(`Glimpse now uses ${engine.pack.manifest.name}${indexing ? ` (${indexing.indexed} photos embedded in ${indexing.seconds.toFixed(1)} s)` : ''}.`);
          else if (engine.pack.id === id) console.log(`Glimpse already uses ${id}.`);
          else console.log(`The switch to ${id} is not finished (photos in offline folders, or it was stopped); run glimpse models use ${id} again to continue.`);
        } finally {
          progress?.stop();
        }
      });
    });
}
