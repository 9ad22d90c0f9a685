import type { Concept, GlimpseApi, PhotoDetail, PhotoFace } from '../../shared/api';
import { conceptKey } from '../../shared/concept-name';
import { Loaded, attempt } from '../lib/loaded.svelte';
import { type Notices, messageOf } from '../lib/notices.svelte';

/** The photo open in the viewer, and what can be done to it. */
export class ViewerState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;

  #photo = $state.raw<PhotoDetail | null>(null);
  /** Where a video starts playing: the moment a search matched (seconds), or the start. */
  #startAt = $state<number | null>(null);
  #opening = $state(false);
  #saving = $state(false);
  /** The face boxes are drawn over the photo (the "Faces" button; kept from photo to photo). */
  #showFaces = $state(false);
  #seq = 0;
  readonly #concepts: Loaded<Concept[]>;

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
    this.#concepts = new Loaded<Concept[]>([], notices, 'concepts');
  }

  get photo(): PhotoDetail | null {
    return this.#photo;
  }
  get startAt(): number | null {
    return this.#startAt;
  }
  get isOpen(): boolean {
    return this.#photo !== null;
  }
  get opening(): boolean {
    return this.#opening;
  }
  get saving(): boolean {
    return this.#saving;
  }
  get showFaces(): boolean {
    return this.#showFaces;
  }
  set showFaces(on: boolean) {
    this.#showFaces = on;
  }

  /** "This is …": the face is a person's (by id), or a new person's (by name); resolves to why it was refused, or null. */
  assignFace(face: number, to: { person: number } | { name: string }): Promise<string | null> {
    return this.#faces(() => this.#api.call('assignFace', { face, ...to }));
  }

  /** "Not …": the face leaves the person, and is never grouped with them again; resolves to why it was refused, or null. */
  rejectFace(face: number, person: number): Promise<string | null> {
    return this.#faces(() => this.#api.call('rejectFace', { face, person }));
  }

  /** A change to the open photo's faces: the answer is its faces now. */
  async #faces(action: () => Promise<PhotoFace[]>): Promise<string | null> {
    const photo = this.#photo;
    if (!photo) return null;
    this.#saving = true;
    try {
      const faces = await action();
      if (this.#photo?.id === photo.id) this.#photo = { ...this.#photo, faces };
      return null;
    } catch (error) {
      return messageOf(error);
    } finally {
      this.#saving = false;
    }
  }

  async open(id: number, startAt?: number): Promise<void> {
    const seq = ++this.#seq;
    this.#opening = true;
    try {
      const photo = await this.#api.call('photo', { id });
      if (seq === this.#seq) {
        this.#startAt = startAt ?? null;
        this.#photo = photo;
        this.#notices.resolved('photo');
      }
      if (this.#concepts.value.length === 0) void this.loadConcepts();
    } catch (error) {
      if (seq === this.#seq) this.#notices.report(error, 'photo');
    } finally {
      if (seq === this.#seq) this.#opening = false;
    }
  }

  close(): void {
    this.#seq++;
    this.#photo = null;
    this.#opening = false;
  }

  /** Saves an edited caption (empty text brings back the generated one); resolves to the new photo. */
  async saveCaption(text: string): Promise<PhotoDetail | null> {
    const photo = this.#photo;
    if (!photo) return null;
    const updated = await this.#saveWith(() => this.#api.call('setCaption', { id: photo.id, text: text.trim() }));
    if (updated && this.#photo?.id === updated.id) this.#photo = updated;
    return updated ?? null;
  }

  /** A change of favourites that touches the open photo. */
  patchFavourite(ids: readonly number[], favourite: boolean): void {
    const photo = this.#photo;
    if (photo && ids.includes(photo.id)) this.#photo = { ...photo, favourite };
  }

  /** Names of the concepts taught so far (loaded with each "Teach Glimpse…"). */
  get knownConcepts(): string[] {
    return this.#concepts.value.map((c) => c.name);
  }

  loadConcepts(): Promise<void> {
    return this.#concepts.load(() => this.#api.call('concepts', {}));
  }

  /**
   * Teaches a concept with the open photo as an example: a new one, or the concept of that name (as
   * the engine compares names) when there is one. Resolves to whether it worked.
   */
  async teach(name: string): Promise<boolean> {
    const photo = this.#photo;
    if (!photo) return false;
    const done = await this.#saveWith(async () => {
      await this.loadConcepts();
      const same = this.#concepts.value.find((c) => conceptKey(c.name) === conceptKey(name));
      if (same) await this.#api.call('updateConcept', { id: same.id, addExamples: [photo.id] });
      else await this.#api.call('createConcept', { name, examples: [photo.id] });
      await this.#reload(photo.id);
      void this.loadConcepts();
      return true;
    });
    return done === true;
  }

  /** "Not Miso": the open photo becomes a counter-example of the concept, which learns again. */
  async notConcept(conceptId: number): Promise<void> {
    const photo = this.#photo;
    if (!photo) return;
    await this.#saveWith(async () => {
      await this.#api.call('updateConcept', { id: conceptId, addCounterExamples: [photo.id] });
      await this.#reload(photo.id);
    });
  }

  async #reload(id: number): Promise<void> {
    const updated = await this.#api.call('photo', { id });
    if (this.#photo?.id === id) this.#photo = updated;
  }

  /** A change to the open photo, with `saving` set while it runs and a failure in the banner. */
  #saveWith<T>(action: () => Promise<T>): Promise<T | undefined> {
    return attempt(this.#notices, 'photo', (on) => (this.#saving = on), action);
  }

  async showInFolder(): Promise<void> {
    const photo = this.#photo;
    if (!photo) return;
    const answer = await attempt(
      this.#notices,
      'photo',
      () => undefined,
      () => this.#api.call('openInFileManager', { id: photo.id }),
    );
    if (answer && !answer.opened) this.#notices.report(new Error(`Could not show ${photo.name} in its folder.`), 'photo');
  }
}
