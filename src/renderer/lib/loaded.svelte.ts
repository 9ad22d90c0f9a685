import type { NoticeTopic, Notices } from './notices.svelte';

/**
 * A value the app loads from the API: the latest load wins (one started later supersedes one still in
 * flight, and so does a value set from a save), `loading` while one runs, `loaded` once one has
 * finished, and a failure is reported in the banner while the last value stays shown (a load that works
 * later takes that banner away).
 */
export class Loaded<T> {
  readonly #notices: Notices;
  readonly #topic: NoticeTopic;
  #value: T;
  #loading = $state(false);
  #loaded = $state(false);
  #seq = 0;

  constructor(initial: T, notices: Notices, topic: NoticeTopic) {
    this.#value = $state.raw(initial);
    this.#notices = notices;
    this.#topic = topic;
  }

  get value(): T {
    return this.#value;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  async load(fetch: () => Promise<T>): Promise<void> {
    const seq = ++this.#seq;
    this.#loading = true;
    try {
      const value = await fetch();
      if (seq === this.#seq) {
        this.#value = value;
        this.#notices.resolved(this.#topic);
      }
    } catch (error) {
      if (seq === this.#seq) this.#notices.report(error, this.#topic);
    } finally {
      if (seq === this.#seq) {
        this.#loading = false;
        this.#loaded = true;
      }
    }
  }

  /** Changes the value in place (a live event's progress); a load in flight still lands. */
  update(change: (value: T) => T): void {
    this.#value = change(this.#value);
  }

  /** A value from elsewhere (a save's answer): loads still in flight no longer land. */
  set(value: T): void {
    this.#seq++;
    this.#value = value;
    this.#loading = false;
  }
}

/**
 * Runs an action against the API with a busy marker set while it runs; a failure is reported in the
 * banner under `topic`, and a success takes away a banner of that topic. Resolves to the action's
 * answer, or undefined when it failed.
 */
export async function attempt<T>(notices: Notices, topic: NoticeTopic, busy: (on: boolean) => void, action: () => Promise<T>): Promise<T | undefined> {
  busy(true);
  try {
    const answer = await action();
    notices.resolved(topic);
    return answer;
  } catch (error) {
    notices.report(error, topic);
    return undefined;
  } finally {
    busy(false);
  }
}
