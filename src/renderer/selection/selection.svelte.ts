import { SvelteSet } from 'svelte/reactivity';

/** How a click on a tile was made: what the keyboard held. */
export interface ClickKeys {
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

/**
 * The photos chosen in a grid for the selection bar (favourite, show in folder, export): Ctrl/⌘-click
 * adds or removes one, Shift-click adds the range from the last one clicked, and while any are chosen a
 * plain click does the same as Ctrl-click. Kept by photo id, so a grid that loads more keeps them.
 */
export class Selection {
  readonly #ids = new SvelteSet<number>();
  /** The index of the tile clicked last (the start of a Shift-click range). */
  #anchor: number | null = null;

  get size(): number {
    return this.#ids.size;
  }
  get active(): boolean {
    return this.#ids.size > 0;
  }
  get ids(): number[] {
    return [...this.#ids];
  }
  has(id: number): boolean {
    return this.#ids.has(id);
  }

  toggle(id: number, index: number): void {
    if (this.#ids.has(id)) this.#ids.delete(id);
    else this.#ids.add(id);
    this.#anchor = index;
  }

  /** Adds every tile from the last one clicked to `index` (`idsBetween` gives the grid's ids, both ends included). */
  extend(index: number, idsBetween: (from: number, to: number) => number[]): void {
    const from = this.#anchor ?? index;
    for (const id of idsBetween(Math.min(from, index), Math.max(from, index))) this.#ids.add(id);
    this.#anchor = index;
  }

  clear(): void {
    this.#ids.clear();
    this.#anchor = null;
  }

  /**
   * A click on a tile: with Shift a range, with Ctrl/⌘ (or while some are chosen) one in or out; a plain
   * click with nothing chosen opens it. Returns true when the click changed the selection.
   */
  click(index: number, id: number, keys: ClickKeys, idsBetween: (from: number, to: number) => number[]): boolean {
    if (keys.shiftKey) this.extend(index, idsBetween);
    else if (keys.ctrlKey || keys.metaKey || this.active) this.toggle(id, index);
    else return false;
    return true;
  }
}
