import type { Concept, GlimpseApi, PhotoDetail } from '../../shared/api';
import type { Notices } from '../lib/notices.svelte';

/** The photo open in the viewer, and what can be done to it. */
export class ViewerState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;

  #photo = $state.raw<PhotoDetail | null>(null);
  /** Where a video starts playing: the moment a search matched (seconds), or the start. */
  #startAt = $state<number | null>(null);
  #opening = $state(false);
  #saving = $state(false);
  #seq = 0;
  #concepts = $state.raw<Concept[]>([]);

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
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

  async open(id: number, startAt?: number): Promise<void> {
    const seq = ++this.#seq;
    this.#opening = true;
    try {
      const photo = await this.#api.call('photo', { id });
      if (seq === this.#seq) {
        this.#startAt = startAt ?? null;
        this.#photo = photo;
      }
      if (this.#concepts.length === 0) void this.loadConcepts();
    } catch (error) {
      if (seq === this.#seq) this.#notices.report(error);
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
    this.#saving = true;
    try {
      const updated = await this.#api.call('setCaption', { id: photo.id, text: text.trim() });
      if (this.#photo?.id === updated.id) this.#photo = updated;
      return updated;
    } catch (error) {
      this.#notices.report(error);
      return null;
    } finally {
      this.#saving = false;
    }
  }

  /** Names of the concepts taught so far (loaded with each "Teach Glimpse…"). */
  get knownConcepts(): string[] {
    return this.#concepts.map((c) => c.name);
  }

  async loadConcepts(): Promise<void> {
    try {
      this.#concepts = await this.#api.call('concepts', {});
    } catch (error) {
      this.#notices.report(error);
    }
  }

  /**
   * Teaches a concept with the open photo as an example: a new one, or the concept of that name (any
   * case) when there is one. Resolves to whether it worked.
   */
  async teach(name: string): Promise<boolean> {
    const photo = this.#photo;
    if (!photo) return false;
    this.#saving = true;
    try {
      await this.loadConcepts();
      const key = name.trim().toLowerCase().replace(/\s+/g, ' ');
      const same = this.#concepts.find((c) => c.name.toLowerCase().replace(/\s+/g, ' ') === key);
      if (same) await this.#api.call('updateConcept', { id: same.id, addExamples: [photo.id] });
      else await this.#api.call('createConcept', { name, examples: [photo.id] });
      await this.#reload(photo.id);
      void this.loadConcepts();
      return true;
    } catch (error) {
      this.#notices.report(error);
      return false;
    } finally {
      this.#saving = false;
    }
  }

  /** "Not Miso": the open photo becomes a counter-example of the concept, which learns again. */
  async notConcept(conceptId: number): Promise<void> {
    const photo = this.#photo;
    if (!photo) return;
    this.#saving = true;
    try {
      await this.#api.call('updateConcept', { id: conceptId, addCounterExamples: [photo.id] });
      await this.#reload(photo.id);
    } catch (error) {
      this.#notices.report(error);
    } finally {
      this.#saving = false;
    }
  }

  async #reload(id: number): Promise<void> {
    const updated = await this.#api.call('photo', { id });
    if (this.#photo?.id === id) this.#photo = updated;
  }

  async showInFolder(): Promise<void> {
    const photo = this.#photo;
    if (!photo) return;
    try {
      const { opened } = await this.#api.call('openInFileManager', { id: photo.id });
      if (!opened) this.#notices.report(new Error(`Could not show ${photo.name} in its folder.`));
    } catch (error) {
      this.#notices.report(error);
    }
  }
}
