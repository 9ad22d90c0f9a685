/**
 * The catalogue's migration ladder. Each step takes the database from version i to i+1 and never
 * changes once released; a database newer than the last step is refused rather than damaged.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    added_at INTEGER NOT NULL,
    watch_note TEXT
  );
  CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    path TEXT NOT NULL UNIQUE,
    dir TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    hash TEXT,
    width INTEGER,
    height INTEGER,
    taken_at TEXT,
    camera TEXT,
    gps_lat REAL,
    gps_lon REAL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'indexed', 'error')),
    error TEXT,
    indexed_at INTEGER,
    scan_mark INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX photos_folder ON photos(folder_id);
  CREATE INDEX photos_status ON photos(status);
  CREATE INDEX photos_hash ON photos(hash);
  CREATE INDEX photos_dir ON photos(dir);
  CREATE INDEX photos_taken ON photos(taken_at);

  -- One embedding per photo and model; the HNSW index is derived from this table and can be rebuilt.
  CREATE TABLE vectors (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    added_seq INTEGER NOT NULL,
    PRIMARY KEY (photo_id, model)
  ) WITHOUT ROWID;
  CREATE INDEX vectors_seq ON vectors(model, added_seq);

  -- The text layer: generated captions, user edits and (later) OCR, each with its source.
  CREATE TABLE texts (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('caption', 'user', 'ocr')),
    model TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (photo_id, source, model)
  ) WITHOUT ROWID;

  -- An album is a library folder (a directory holding photos); user albums can join later.
  CREATE TABLE albums (
    id INTEGER PRIMARY KEY,
    dir TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    user_title TEXT,
    signature TEXT NOT NULL DEFAULT '',
    cover_id INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  -- Keyword search over captions, album titles and file/folder names; rowid = photos.id. The Porter
  -- stemmer lets "circle" find "circles".
  CREATE VIRTUAL TABLE photo_text USING fts5(caption, album, names, tokenize = 'porter unicode61 remove_diacritics 2');
  `,
];
