import type { GlimpseApi, PhotoDetail } from '../../shared/api';
import type { Notices } from '../lib/notices.svelte';

/** The photo open in the viewer, and what can be done to it. */
export class ViewerState {
  readonly #api: GlimpseApi;
  readonly #notices: Notices;

  #photo = $state.raw<PhotoDetail | null>(null);
  #opening = $state(false);
  #saving = $state(false);
  #seq = 0;

  constructor(api: GlimpseApi, notices: Notices) {
    this.#api = api;
    this.#notices = notices;
  }

  get photo(): PhotoDetail | null {
    return this.#photo;
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

  async open(id: number): Promise<void> {
    const seq = ++this.#seq;
    this.#opening = true;
    try {
      const photo = await this.#api.call('photo', { id });
      if (seq === this.#seq) this.#photo = photo;
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
