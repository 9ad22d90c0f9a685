import type { GlimpseApi, PeopleStatus, PeopleView, Person, PhotoFace } from '../../shared/api';
import { Loaded, attempt } from '../lib/loaded.svelte';
import { messageOf, type Notices } from '../lib/notices.svelte';
import { SearchState } from '../search/search-state.svelte';

/** A face of a person, with the photo it is in (a cover to choose). */
export interface FaceOfPerson {
  face: PhotoFace;
  photoId: number;
}

/** How many of a person's photos are looked through for faces to choose a cover from. */
const COVER_PHOTOS = 48;

/**
 * People: everyone the faces were grouped into, the person whose page is open (with their photos, a
 * search of its own), and the user's word on them (names, merges, hidden, covers, on or off).
 */
export class PeopleState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;
  readonly #view: Loaded<PeopleView | null>;
  /** The open person's photos: every photo they are in, newest first, or those matching what is typed on their page. */
  readonly photos: SearchState;
  #open = $state<number | null>(null);
  /** A change in flight: which person (or 'all' for turning People on or off). */
  #busy = $state<number | 'all' | null>(null);

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
    this.#view = new Loaded<PeopleView | null>(null, notices, 'people');
    this.photos = new SearchState(api, notices, { stacks: false });
  }

  get loaded(): boolean {
    return this.#view.loaded;
  }
  get loading(): boolean {
    return this.#view.loading;
  }
  get people(): Person[] {
    return this.#view.value?.people ?? [];
  }
  get status(): PeopleStatus | null {
    return this.#view.value?.status ?? null;
  }
  get busy(): number | 'all' | null {
    return this.#busy;
  }
  /** The id of the person whose page is open. */
  get openId(): number | null {
    return this.#open;
  }
  /** The person whose page is open, once People is loaded (null: none open, or they are gone: merged, or People turned off). */
  get person(): Person | null {
    return this.people.find((p) => p.id === this.#open) ?? null;
  }

  load(): Promise<void> {
    return this.#view.load(() => this.#api.call('people', {}));
  }

  /** Loads People again where it was shown once (the library changed: faces found, a name given). */
  reloadIfLoaded(): void {
    if (this.#view.loaded) void this.load();
  }

  /** Opens a person's page: their photos, newest first. */
  open(id: number): void {
    if (this.#open !== id) this.photos.withPeople([id]);
    this.#open = id;
    if (!this.#view.loaded) void this.load();
  }

  /** Back to everyone. */
  close(): void {
    this.#open = null;
  }

  /** Searches the open person's photos for these words (all of them when empty). */
  searchTheirs(query: string): void {
    this.photos.setQuery(query);
  }

  /** Names a person (null: unnamed again); resolves to why the engine refused the name, or null once it is saved. */
  async rename(id: number, name: string | null): Promise<string | null> {
    this.#busy = id;
    try {
      const person = await this.#api.call('renamePerson', { id, name });
      this.#patch(person);
      this.#notices.resolved('people');
      return null;
    } catch (error) {
      return messageOf(error);
    } finally {
      this.#busy = null;
    }
  }

  /** `from` is the same person as `into`: one person with both's faces. */
  async merge(into: number, from: number): Promise<boolean> {
    const person = await this.#change(into, () => this.#api.call('mergePeople', { into, from }));
    if (!person) return false;
    const value = this.#view.value;
    if (value) this.#view.set({ ...value, people: value.people.filter((p) => p.id !== from).map((p) => (p.id === person.id ? person : p)) });
    if (this.#open === from) this.open(into);
    if (this.#open === into) this.photos.refresh();
    void this.load();
    return true;
  }

  async hide(id: number, hidden: boolean): Promise<void> {
    const person = await this.#change(id, () => this.#api.call('hidePerson', { id, hidden }));
    if (person) this.#patch(person);
  }

  async setCover(id: number, face: number): Promise<boolean> {
    const person = await this.#change(id, () => this.#api.call('setPersonCover', { id, face }));
    if (person) this.#patch(person);
    return !!person;
  }

  /** Turns finding faces on or off (off deletes the faces found, and with `forgetNames` the names too). */
  async setEnabled(enabled: boolean, forgetNames = false): Promise<PeopleStatus | undefined> {
    const status = await this.#change('all', () => this.#api.call('setPeople', { enabled, forgetNames }));
    if (status) await this.load();
    return status;
  }

  /**
   * The person's faces to choose a cover from: those in the first of their photos shown on their page
   * (the contract lists a person's faces only through the photos they are in).
   */
  async facesOf(id: number): Promise<FaceOfPerson[]> {
    const photoIds = this.photos.results.slice(0, COVER_PHOTOS).map((r) => r.id);
    const photos = await attempt(
      this.#notices,
      'people',
      () => undefined,
      () => Promise.all(photoIds.map((photoId) => this.#api.call('photo', { id: photoId }))),
    );
    return (photos ?? []).flatMap((photo) => photo.faces.filter((f) => f.person?.id === id).map((face) => ({ face, photoId: photo.id })));
  }

  #patch(person: Person): void {
    const value = this.#view.value;
    if (value) this.#view.set({ ...value, people: value.people.map((p) => (p.id === person.id ? person : p)) });
  }

  #change<T>(busy: number | 'all', action: () => Promise<T>): Promise<T | undefined> {
    return attempt(this.#notices, 'people', (on) => (this.#busy = on ? busy : null), action);
  }
}
