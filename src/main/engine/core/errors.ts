/** Errors as a person reads them: one place for the text of an error and for what a storage fault means. */

/** What the engine refuses to do, said so that the user can act on it (shown as it is by the app and the CLI). */
export class EngineError extends Error {
  override name = 'EngineError';
}

import { errorText } from '../../../shared/error-text.js';

export { errorText };

/** The system's code for a failed write (SQLite's or Node's), when there is one. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** What a failed write to the library's own folder means to the user, or null when it is not such a fault. */
export function storageFault(error: unknown): string | null {
  const code = codeOf(error);
  if (/^(SQLITE_FULL|ENOSPC|EDQUOT)/.test(code)) return 'the disk holding the library is full';
  if (/^(SQLITE_READONLY|EROFS)/.test(code)) return 'the disk holding the library is read-only';
  if (/^SQLITE_BUSY/.test(code)) return 'another process kept the catalogue locked';
  return null;
}

/** Why saving failed, in the user's words first (the system's words follow). */
export function storageProblem(error: unknown): string {
  return `${storageFault(error) ?? 'could not save to the library'} (${errorText(error)})`;
}

/** What the user can do about a storage fault (the words that follow it in every message). */
export function storageAdvice(error: unknown, where = 'the library'): string {
  return /^(SQLITE_FULL|ENOSPC|EDQUOT)/.test(codeOf(error))
    ? `Free some space on the disk that holds ${where}, then update again: it continues from here, and nothing already indexed is lost.`
    : `Check that ${where} can be written, then update again: nothing already indexed is lost.`;
}

/** A storage fault met in one stage of a job, said with the stage and what to do; keeps the system's code. */
export class StageError extends Error {
  override name = 'StageError';
  readonly code: string;

  constructor(
    readonly stage: string,
    cause: unknown,
    dataDir: string,
  ) {
    super(`Glimpse could not save its work while ${stage}: ${storageProblem(cause)}. ${storageAdvice(cause, dataDir)}`, { cause });
    this.code = codeOf(cause);
  }
}

/** Runs one stage of a job; a storage fault in it is reported with the stage's name and what to do. */
export async function inStage<T>(stage: string, dataDir: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StageError || storageFault(error) === null) throw error;
    throw new StageError(stage, error, dataDir);
  }
}
