import { AlbumStore } from './albums/album-store.js';
import { CaptionStore } from './captions/caption-store.js';
import type { Catalog } from './catalog/catalog.js';
import { ConceptStore } from './concepts/concept-store.js';
import { FaceStore } from './faces/face-store.js';
import { PeopleStore } from './faces/people-store.js';
import { FavouriteStore } from './favourites/favourite-store.js';
import { VectorStore } from './index/vector-store.js';
import { IndexingStore } from './indexing/indexing-store.js';
import { FolderStore } from './library/folder-store.js';
import { PhotoStore } from './library/photo-store.js';
import { ReadingStore } from './ocr/reading-store.js';
import { PlaceStore } from './places/place-store.js';
import { KeywordStore } from './search/keyword-store.js';
import { StackStore } from './stacks/stack-store.js';
import { TimelineStore } from './timeline/timeline-store.js';

/**
 * Each feature's gateway to the catalogue, over one connection: the tables a feature owns are written
 * and read through its store, never with SQL of its own elsewhere.
 */
export interface CatalogStores {
  folders: FolderStore;
  photos: PhotoStore;
  indexing: IndexingStore;
  vectors: VectorStore;
  captions: CaptionStore;
  readings: ReadingStore;
  keywords: KeywordStore;
  albums: AlbumStore;
  concepts: ConceptStore;
  stacks: StackStore;
  favourites: FavouriteStore;
  timeline: TimelineStore;
  faces: FaceStore;
  people: PeopleStore;
  places: PlaceStore;
}

export function storesOf(catalog: Catalog): CatalogStores {
  return {
    folders: new FolderStore(catalog),
    photos: new PhotoStore(catalog),
    indexing: new IndexingStore(catalog),
    vectors: new VectorStore(catalog),
    captions: new CaptionStore(catalog),
    readings: new ReadingStore(catalog),
    keywords: new KeywordStore(catalog),
    albums: new AlbumStore(catalog),
    concepts: new ConceptStore(catalog),
    stacks: new StackStore(catalog),
    favourites: new FavouriteStore(catalog),
    timeline: new TimelineStore(catalog),
    faces: new FaceStore(catalog),
    people: new PeopleStore(catalog),
    places: new PlaceStore(catalog),
  };
}
