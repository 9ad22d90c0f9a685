import cliProgress from 'cli-progress';
import type { Progress } from '../shared/api.js';
import { shown } from './format.js';

function eta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const PHASES: Record<Progress['phase'], string> = {
  idle: 'Done        ',
  scanning: 'Scanning    ',
  indexing: 'Indexing    ',
  reading: 'Reading text',
  faces: 'Faces       ',
  places: 'Places      ',
  measuring: 'Measuring   ',
  paused: 'Paused      ',
};

/** A progress bar on a terminal; nothing when output is piped (logs and --json stay clean). */
export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr): { update: (p: Progress) => void; stop: () => void } {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' {phase} {bar} {value}/{total} photos | {rate}/s | ETA {eta_text} | {errors} errors | {file}',
      hideCursor: true,
      clearOnComplete: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      if (p.total === 0) return;
      // Each phase has its own count: indexing (then the photos are searchable), then reading their text.
      const phase = PHASES[p.phase];
      const payload = {
        phase,
        rate: p.rate.toFixed(1),
        eta_text: eta(p.etaSeconds),
        errors: p.errors,
        file: shown((p.currentFile ?? '').split(/[\\/]/).pop()?.slice(0, 40) ?? ''),
      };
      if (!started) {
        bar.start(p.total, p.done, payload);
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export { eta as formatEta };
