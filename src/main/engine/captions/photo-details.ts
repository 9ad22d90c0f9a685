import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { PhotoDetail } from '../../../shared/api.js';
import type { AlbumStore } from '../albums/album-store.js';
import { conceptsOfPhoto } from '../concepts/concepts.js';
import { EngineError } from '../core/errors.js';
import { FavouriteStore } from '../favourites/favourite-store.js';
import { isUnder } from '../core/paths.js';
import type { ActiveModel } from '../index/active-model.js';
import type { FolderStore } from '../library/folder-store.js';
import { offlineMark } from '../library/library-service.js';
import type { PhotoStore } from '../library/photo-store.js';
import { preparePhoto } from '../media/photo.js';
import type { CaptionStore } from './caption-store.js';
import { captionPhotos, captionRecord } from './confidence.js';

/** One photo as the viewer shows it, and its caption: the user's own, or one generated now. */
export class PhotoDetails {
  constructor(
    private readonly photos: PhotoStore,
    private readonly captions: CaptionStore,
    private readonly albums: AlbumStore,
    private readonly folders: FolderStore,
    private readonly model: ActiveModel,
    private readonly readText: (id: number) => PhotoDetail['readText'],
    private readonly facesIn: (id: number) => PhotoDetail['faces'],
  ) {}

  detail(id: number): PhotoDetail {
    const row = this.photos.photo(id);
    if (!row) throw new EngineError(`no photo with id ${id}`);
    const pack = this.model.pack.id;
    const caption = this.captions.caption(id, pack);
    const album = this.albums.albumForDir(row.dir);
    return {
      id,
      path: row.path,
      name: basename(row.path),
      folder: dirname(row.path),
      size: row.size,
      width: row.width,
      height: row.height,
      takenAt: row.taken_at,
      camera: row.camera,
      gps: row.gps_lat !== null && row.gps_lon !== null ? { lat: row.gps_lat, lon: row.gps_lon } : null,
      caption: caption ? { text: caption.text, source: caption.source, edited: caption.source === 'user' } : null,
      captionWithheld: caption ? null : (this.captions.withheldCaption(id, pack)?.reason ?? null),
      readText: this.readText(id),
      album: album ? { id: album.id, title: album.user_title ?? album.title } : null,
      concepts: conceptsOfPhoto(this.photos.catalog, pack, id),
      faces: this.facesIn(id),
      status: row.status,
      error: row.error,
      warning: row.warning,
      offline: offlineMark(this.folders.offlineDirs().find((d) => isUnder(row.path, d.dir))),
      media: row.media,
      duration: row.duration,
      favourite: new FavouriteStore(this.photos.catalog).isFavourite(id),
    };
  }

  setCaption(id: number, text: string): PhotoDetail {
    if (!this.photos.photo(id)) throw new EngineError(`no photo with id ${id}`);
    this.captions.setUserCaption(id, text);
    return this.detail(id);
  }

  /** Generates a caption for one photo now (the CLI's `glimpse caption`); judged and stored like the indexer's. */
  async generateCaption(id: number): Promise<PhotoDetail> {
    const row = this.photos.photo(id);
    if (!row) throw new EngineError(`no photo with id ${id}`);
    const pack = this.model.pack;
    if (!pack.hasCaptioner) throw new EngineError(`model pack ${pack.id} has no captioner`);
    const bytes = await readFile(row.path);
    const inputs = [pack.imageInput, ...(pack.captionInput ? [pack.captionInput] : [])];
    const prepared = await preparePhoto(bytes, inputs);
    const [features] = await pack.embedImages([prepared.inputs[0]!]);
    const [outcome] = await captionPhotos(pack, [{ features: features!, ...(prepared.inputs[1] ? { pixels: prepared.inputs[1] } : {}) }]);
    this.captions.setGeneratedCaption(id, pack.id, captionRecord(outcome));
    return this.detail(id);
  }
}
