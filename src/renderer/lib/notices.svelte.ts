/** What a banner's error is about: a later success of the same kind shows the problem is gone, and takes the banner with it. */
export type NoticeTopic =
  'search' | 'folders' | 'library' | 'indexing' | 'models' | 'albums' | 'duplicates' | 'photo' | 'concepts' | 'settings' | 'selection' | 'timeline' | 'people' | 'places';

/**
 * The error the app shows in its banner: the API's own words, until dismissed, replaced, or made stale
 * by a later success of the same kind (a search that worked after one that was refused, a folder added
 * after one that could not be).
 */
export class Notices {
  #error = $state<{ message: string; topic: NoticeTopic } | null>(null);

  get error(): string | null {
    return this.#error?.message ?? null;
  }

  report(error: unknown, topic: NoticeTopic): void {
    this.#error = { message: messageOf(error), topic };
  }

  /** Something of this kind just worked: a banner about it no longer holds. */
  resolved(topic: NoticeTopic): void {
    if (this.#error?.topic === topic) this.#error = null;
  }

  dismiss(): void {
    this.#error = null;
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : 'Something went wrong.';
}
