/**
 * The catalogue's migration ladder. Each step takes the database from version i to i+1 and never
 * changes once released; a database newer than the last step is refused rather than damaged. Steps run
 * with foreign keys off (so a table can be rebuilt without cascading deletes), then the keys are checked.
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
  // v2: ids are never reused (AUTOINCREMENT: a new photo can never inherit a deleted one's id, vector
  // or thumbnail); every write to \`vectors\` is logged with one global sequence number by triggers, so
  // an index file knows exactly which changes it has not seen (no write can forget to log itself);
  // indexing state is per model (a vector per model, stamped with the content it was computed from; a
  // photo's status is about its file only); folders
  // that cannot be listed are recorded as offline instead of being emptied.
  `
  CREATE TABLE folders_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    added_at INTEGER NOT NULL,
    watch_note TEXT
  );
  INSERT INTO folders_v2 (id, path, added_at, watch_note) SELECT id, path, added_at, watch_note FROM folders;
  DROP TABLE folders;
  ALTER TABLE folders_v2 RENAME TO folders;

  CREATE TABLE photos_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    indexed_at INTEGER
  );
  INSERT INTO photos_v2 (id, folder_id, path, dir, name, size, mtime_ms, hash, width, height, taken_at, camera, gps_lat, gps_lon, status, error, indexed_at)
    SELECT id, folder_id, path, dir, name, size, mtime_ms, hash, width, height, taken_at, camera, gps_lat, gps_lon, status, error, indexed_at FROM photos;
  DROP TABLE photos;
  ALTER TABLE photos_v2 RENAME TO photos;
  CREATE INDEX photos_folder ON photos(folder_id);
  CREATE INDEX photos_status ON photos(status);
  CREATE INDEX photos_hash ON photos(hash);
  CREATE INDEX photos_dir ON photos(dir);
  CREATE INDEX photos_taken ON photos(taken_at);

  CREATE TABLE albums_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dir TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    user_title TEXT,
    signature TEXT NOT NULL DEFAULT '',
    cover_id INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO albums_v2 SELECT id, dir, title, summary, user_title, signature, cover_id, updated_at FROM albums;
  DROP TABLE albums;
  ALTER TABLE albums_v2 RENAME TO albums;

  DROP INDEX vectors_seq;
  ALTER TABLE vectors DROP COLUMN added_seq;
  -- The content fingerprint a vector was computed from: a vector of older content is stale for every
  -- model, not only the one that re-indexed the changed file.
  ALTER TABLE vectors ADD COLUMN hash TEXT;
  UPDATE vectors SET hash = (SELECT hash FROM photos WHERE photos.id = vectors.photo_id);
  CREATE INDEX vectors_model ON vectors(model);

  -- Every insert, update and delete of a vector, in order. An index file records the last seq it
  -- covers; catching up is reading the entries after it. Superseded entries may be compacted away.
  CREATE TABLE vector_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    model TEXT NOT NULL,
    photo_id INTEGER NOT NULL
  );
  INSERT INTO vector_log (model, photo_id) SELECT model, photo_id FROM vectors;
  CREATE TRIGGER vectors_logged_insert AFTER INSERT ON vectors BEGIN
    INSERT INTO vector_log (model, photo_id) VALUES (new.model, new.photo_id);
  END;
  CREATE TRIGGER vectors_logged_update AFTER UPDATE ON vectors BEGIN
    INSERT INTO vector_log (model, photo_id) VALUES (new.model, new.photo_id);
  END;
  CREATE TRIGGER vectors_logged_delete AFTER DELETE ON vectors BEGIN
    INSERT INTO vector_log (model, photo_id) VALUES (old.model, old.photo_id);
  END;

  -- A folder (a library root or one inside it) that could not be listed: its photos keep their rows,
  -- vectors and captions until it can be listed again.
  CREATE TABLE offline_dirs (
    dir TEXT PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    since INTEGER NOT NULL,
    reason TEXT NOT NULL
  );
  `,
  // v3: the keyword table follows its sources by triggers (no write path can forget it): a photo's
  // captions and edits, its album's title, and the words of its file and folder names (name_words is
  // registered on every connection by Catalog).
  `
  CREATE TRIGGER photos_fts_insert AFTER INSERT ON photos BEGIN
    INSERT INTO photo_text (rowid, caption, album, names) VALUES (new.id, coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.id), ''), coalesce((SELECT coalesce(user_title, title) FROM albums WHERE dir = new.dir), ''), name_words(new.path));
  END;
  CREATE TRIGGER photos_fts_move AFTER UPDATE OF path, dir ON photos BEGIN
    UPDATE photo_text SET names = name_words(new.path), album = coalesce((SELECT coalesce(user_title, title) FROM albums WHERE dir = new.dir), '') WHERE rowid = new.id;
  END;
  CREATE TRIGGER photos_fts_delete AFTER DELETE ON photos BEGIN
    DELETE FROM photo_text WHERE rowid = old.id;
  END;
  CREATE TRIGGER texts_fts_insert AFTER INSERT ON texts BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.photo_id), '') WHERE rowid = new.photo_id;
  END;
  CREATE TRIGGER texts_fts_update AFTER UPDATE ON texts BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.photo_id), '') WHERE rowid = new.photo_id;
  END;
  CREATE TRIGGER texts_fts_delete AFTER DELETE ON texts BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = old.photo_id), '') WHERE rowid = old.photo_id;
  END;
  CREATE TRIGGER albums_fts_insert AFTER INSERT ON albums BEGIN
    UPDATE photo_text SET album = coalesce(new.user_title, new.title) WHERE rowid IN (SELECT id FROM photos WHERE dir = new.dir);
  END;
  CREATE TRIGGER albums_fts_update AFTER UPDATE OF title, user_title, dir ON albums BEGIN
    UPDATE photo_text SET album = '' WHERE old.dir <> new.dir AND rowid IN (SELECT id FROM photos WHERE dir = old.dir);
    UPDATE photo_text SET album = coalesce(new.user_title, new.title) WHERE rowid IN (SELECT id FROM photos WHERE dir = new.dir);
  END;
  CREATE TRIGGER albums_fts_delete AFTER DELETE ON albums BEGIN
    UPDATE photo_text SET album = '' WHERE rowid IN (SELECT id FROM photos WHERE dir = old.dir);
  END;
  DELETE FROM photo_text;
  INSERT INTO photo_text (rowid, caption, album, names)
    SELECT p.id, coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = p.id), ''), coalesce((SELECT coalesce(user_title, title) FROM albums WHERE dir = p.dir), ''), name_words(p.path) FROM photos p;
  `,
  // v4: a generated caption the model was not confident of is kept aside with the reason, not shown and
  // not searchable (it is not in texts, so the keyword table never sees it).
  `
  CREATE TABLE withheld_captions (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    text TEXT NOT NULL,
    reason TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (photo_id, model)
  ) WITHOUT ROWID;
  `,
  // v5: text read in the photo (OCR). Each photo's reading is kept per OCR pack with the content it was
  // read from (a row with no lines: read, and no text found), so turning OCR on later or changing the
  // search model never reads a photo twice. Its text joins the text layer as source 'ocr', but is
  // searched apart from captions: the recogniser often drops the space between words ("MUSEUMSHOP"),
  // so it is indexed as one lower-case run of letters and digits per line, by trigrams, and a query
  // word matches inside it. The caption column of photo_text no longer takes OCR text.
  `
  CREATE TABLE ocr_readings (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    hash TEXT NOT NULL,
    lines TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (photo_id, model)
  ) WITHOUT ROWID;
  CREATE VIRTUAL TABLE photo_read_text USING fts5(compact, tokenize = 'trigram remove_diacritics 1');

  DROP TRIGGER photos_fts_insert;
  CREATE TRIGGER photos_fts_insert AFTER INSERT ON photos BEGIN
    INSERT INTO photo_text (rowid, caption, album, names) VALUES (new.id, coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.id AND source <> 'ocr'), ''), coalesce((SELECT coalesce(user_title, title) FROM albums WHERE dir = new.dir), ''), name_words(new.path));
  END;
  DROP TRIGGER photos_fts_delete;
  CREATE TRIGGER photos_fts_delete AFTER DELETE ON photos BEGIN
    DELETE FROM photo_text WHERE rowid = old.id;
    DELETE FROM photo_read_text WHERE rowid = old.id;
  END;
  DROP TRIGGER texts_fts_insert;
  DROP TRIGGER texts_fts_update;
  DROP TRIGGER texts_fts_delete;
  CREATE TRIGGER texts_fts_insert AFTER INSERT ON texts WHEN new.source <> 'ocr' BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.photo_id AND source <> 'ocr'), '') WHERE rowid = new.photo_id;
  END;
  CREATE TRIGGER texts_fts_update AFTER UPDATE ON texts WHEN new.source <> 'ocr' OR old.source <> 'ocr' BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.photo_id AND source <> 'ocr'), '') WHERE rowid = new.photo_id;
  END;
  CREATE TRIGGER texts_fts_delete AFTER DELETE ON texts WHEN old.source <> 'ocr' BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = old.photo_id AND source <> 'ocr'), '') WHERE rowid = old.photo_id;
  END;
  CREATE TRIGGER texts_read_insert AFTER INSERT ON texts WHEN new.source = 'ocr' BEGIN
    DELETE FROM photo_read_text WHERE rowid = new.photo_id;
    INSERT INTO photo_read_text (rowid, compact) SELECT new.photo_id, compact_text(group_concat(text, char(10))) FROM texts WHERE photo_id = new.photo_id AND source = 'ocr';
  END;
  CREATE TRIGGER texts_read_update AFTER UPDATE ON texts WHEN new.source = 'ocr' BEGIN
    DELETE FROM photo_read_text WHERE rowid = new.photo_id;
    INSERT INTO photo_read_text (rowid, compact) SELECT new.photo_id, compact_text(group_concat(text, char(10))) FROM texts WHERE photo_id = new.photo_id AND source = 'ocr';
  END;
  CREATE TRIGGER texts_read_delete AFTER DELETE ON texts WHEN old.source = 'ocr' BEGIN
    DELETE FROM photo_read_text WHERE rowid = old.photo_id;
    INSERT INTO photo_read_text (rowid, compact) SELECT old.photo_id, compact_text(group_concat(text, char(10))) FROM texts WHERE photo_id = old.photo_id AND source = 'ocr' HAVING count(*) > 0;
  END;
  UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = photo_text.rowid AND source <> 'ocr'), '');
  INSERT INTO photo_read_text (rowid, compact) SELECT photo_id, compact_text(group_concat(text, char(10))) FROM texts WHERE source = 'ocr' GROUP BY photo_id;
  `,
  // v6: concepts the user teaches ("my cat Miso"). The name and the example photos (and counter-examples)
  // are the user's own data; the classifier is derived, per model pack, from the examples' vectors, and
  // is recomputed when they change (`signature`) or another pack becomes active. An example whose photo
  // leaves the catalogue leaves the concept with it (ON DELETE CASCADE): never dangling.
  `
  CREATE TABLE concepts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE concept_examples (
    concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    positive INTEGER NOT NULL CHECK (positive IN (0, 1)),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (concept_id, photo_id)
  ) WITHOUT ROWID;
  CREATE INDEX concept_examples_photo ON concept_examples(photo_id);
  CREATE TABLE concept_classifiers (
    concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    signature TEXT NOT NULL,
    method TEXT NOT NULL,
    weights BLOB NOT NULL,
    bias REAL NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (concept_id, model)
  ) WITHOUT ROWID;
  `,
  // v7: a photo's name words count its folders from its library folder, not from the root of the disk:
  // "home", the user's name or "tmp" above the library matched every photo in it.
  `
  DROP TRIGGER photos_fts_insert;
  CREATE TRIGGER photos_fts_insert AFTER INSERT ON photos BEGIN
    INSERT INTO photo_text (rowid, caption, album, names) VALUES (new.id, coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.id AND source <> 'ocr'), ''), coalesce((SELECT coalesce(user_title, title) FROM albums WHERE dir = new.dir), ''), name_words(new.path, (SELECT path FROM folders WHERE id = new.folder_id)));
  END;
  DROP TRIGGER photos_fts_move;
  CREATE TRIGGER photos_fts_move AFTER UPDATE OF path, dir, folder_id ON photos BEGIN
    UPDATE photo_text SET names = name_words(new.path, (SELECT path FROM folders WHERE id = new.folder_id)), album = coalesce((SELECT coalesce(user_title, title) FROM albums WHERE dir = new.dir), '') WHERE rowid = new.id;
  END;
  UPDATE photo_text SET names = (SELECT name_words(p.path, f.path) FROM photos p JOIN folders f ON f.id = p.folder_id WHERE p.id = photo_text.rowid);
  `,
  // v8: the caption column of the keyword table holds the user's captions and the captions of the
  // library's active pack only (\`keyword_model\`, set by the writer on open and on a pack switch), so a
  // photo is never found by a caption of another pack, which the app does not show.
  `
  CREATE TABLE keyword_model (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    model TEXT NOT NULL
  );
  -- Until a writer opens the library and sets it: the pack that wrote the latest caption.
  INSERT INTO keyword_model (id, model) SELECT 1, model FROM texts WHERE source = 'caption' ORDER BY updated_at DESC LIMIT 1;
  DROP TRIGGER photos_fts_insert;
  CREATE TRIGGER photos_fts_insert AFTER INSERT ON photos BEGIN
    INSERT INTO photo_text (rowid, caption, album, names) VALUES (new.id, coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.id AND (source = 'user' OR (source = 'caption' AND model = (SELECT model FROM keyword_model WHERE id = 1)))), ''), coalesce((SELECT coalesce(user_title, title) FROM albums WHERE dir = new.dir), ''), name_words(new.path, (SELECT path FROM folders WHERE id = new.folder_id)));
  END;
  DROP TRIGGER texts_fts_insert;
  DROP TRIGGER texts_fts_update;
  DROP TRIGGER texts_fts_delete;
  CREATE TRIGGER texts_fts_insert AFTER INSERT ON texts WHEN new.source <> 'ocr' BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.photo_id AND (source = 'user' OR (source = 'caption' AND model = (SELECT model FROM keyword_model WHERE id = 1)))), '') WHERE rowid = new.photo_id;
  END;
  CREATE TRIGGER texts_fts_update AFTER UPDATE ON texts WHEN new.source <> 'ocr' OR old.source <> 'ocr' BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.photo_id AND (source = 'user' OR (source = 'caption' AND model = (SELECT model FROM keyword_model WHERE id = 1)))), '') WHERE rowid = new.photo_id;
  END;
  CREATE TRIGGER texts_fts_delete AFTER DELETE ON texts WHEN old.source <> 'ocr' BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = old.photo_id AND (source = 'user' OR (source = 'caption' AND model = (SELECT model FROM keyword_model WHERE id = 1)))), '') WHERE rowid = old.photo_id;
  END;
  CREATE TRIGGER keyword_model_captions AFTER UPDATE ON keyword_model BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = photo_text.rowid AND (source = 'user' OR (source = 'caption' AND model = (SELECT model FROM keyword_model WHERE id = 1)))), '');
  END;
  CREATE TRIGGER keyword_model_captions_first AFTER INSERT ON keyword_model BEGIN
    UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = photo_text.rowid AND (source = 'user' OR (source = 'caption' AND model = (SELECT model FROM keyword_model WHERE id = 1)))), '');
  END;
  UPDATE photo_text SET caption = coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = photo_text.rowid AND (source = 'user' OR (source = 'caption' AND model = (SELECT model FROM keyword_model WHERE id = 1)))), '');
  `,
  // v9, videos: a video is a catalogue item like a photo (same id space, statuses, errors, one
  // pooled vector per model in \`vectors\`, which search, "similar", captions and concepts use), with its
  // kind and length, and the vectors of the frames it was sampled at, each with its time. A video's frames
  // for a model are written and replaced in the same transaction as its pooled vector, so the vector log
  // tells the index when they changed; they leave with the vector (trigger) and with the item (cascade).
  `
  ALTER TABLE photos ADD COLUMN media TEXT NOT NULL DEFAULT 'photo' CHECK (media IN ('photo', 'video'));
  ALTER TABLE photos ADD COLUMN duration REAL;
  CREATE TABLE video_frames (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    idx INTEGER NOT NULL,
    t REAL NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, photo_id, idx)
  ) WITHOUT ROWID;
  CREATE INDEX video_frames_photo ON video_frames(photo_id);
  CREATE TRIGGER vectors_drop_frames AFTER DELETE ON vectors BEGIN
    DELETE FROM video_frames WHERE model = old.model AND photo_id = old.photo_id;
  END;
  `,
  // v10: how each photo looks (a 64-bit DCT perceptual hash and a sharpness measure, computed from the
  // pixels the pipeline already decoded, stamped with the content fingerprint they came from so a changed
  // file gets new ones), and near-duplicate stacks. Stacks are derived data, rebuilt from the vectors and
  // hashes at any time: a photo that leaves the catalogue leaves its stack (ON DELETE CASCADE), and a
  // stack is only shown while two of its photos remain.
  `
  CREATE TABLE photo_looks (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    phash TEXT NOT NULL,
    inner_phash TEXT NOT NULL,
    sharpness REAL NOT NULL,
    measured_at INTEGER NOT NULL
  );
  CREATE TABLE stacks (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    stack_id INTEGER NOT NULL
  );
  CREATE INDEX stacks_stack ON stacks(stack_id);
  `,
  // v11 (issue 27): a file with a photo's name can be `skipped`: an image smaller than a photo on a side
  // (icons, sprites, glyphs), listed with the reason in \`error\`, never indexed; and an indexed item can
  // carry a \`warning\`: a video that could be read only in part is indexed from what was read and says
  // how much that was. The status check is part of the table, so the table is rebuilt: the triggers on it
  // and on albums (which read it) are made again as they were, and its AUTOINCREMENT sequence is carried
  // over, so no id of a photo that left is ever given again.
  `
  INSERT INTO meta (key, value) SELECT 'v11_photos_seq', seq FROM sqlite_sequence WHERE name = 'photos';
  DROP TRIGGER albums_fts_insert;
  DROP TRIGGER albums_fts_update;
  DROP TRIGGER albums_fts_delete;
  CREATE TABLE photos_v11 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    status TEXT NOT NULL CHECK (status IN ('pending', 'indexed', 'error', 'skipped')),
    error TEXT,
    indexed_at INTEGER,
    media TEXT NOT NULL DEFAULT 'photo' CHECK (media IN ('photo', 'video')),
    duration REAL,
    warning TEXT
  );
  INSERT INTO photos_v11 (id, folder_id, path, dir, name, size, mtime_ms, hash, width, height, taken_at, camera, gps_lat, gps_lon, status, error, indexed_at, media, duration)
    SELECT id, folder_id, path, dir, name, size, mtime_ms, hash, width, height, taken_at, camera, gps_lat, gps_lon, status, error, indexed_at, media, duration FROM photos;
  DROP TABLE photos;
  ALTER TABLE photos_v11 RENAME TO photos;
  DELETE FROM sqlite_sequence WHERE name = 'photos';
  INSERT INTO sqlite_sequence (name, seq)
    SELECT 'photos', max(coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'v11_photos_seq'), 0), coalesce((SELECT max(id) FROM photos), 0))
    WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'v11_photos_seq') OR EXISTS (SELECT 1 FROM photos);
  DELETE FROM meta WHERE key = 'v11_photos_seq';
  CREATE INDEX photos_folder ON photos(folder_id);
  CREATE INDEX photos_status ON photos(status);
  CREATE INDEX photos_hash ON photos(hash);
  CREATE INDEX photos_dir ON photos(dir);
  CREATE INDEX photos_taken ON photos(taken_at);
  CREATE TRIGGER photos_fts_insert AFTER INSERT ON photos BEGIN
    INSERT INTO photo_text (rowid, caption, album, names) VALUES (new.id, coalesce((SELECT group_concat(text, ' \n ') FROM texts WHERE photo_id = new.id AND (source = 'user' OR (source = 'caption' AND model = (SELECT model FROM keyword_model WHERE id = 1)))), ''), coalesce((SELECT coalesce(user_title, title) FROM albums WHERE dir = new.dir), ''), name_words(new.path, (SELECT path FROM folders WHERE id = new.folder_id)));
  END;
  CREATE TRIGGER photos_fts_move AFTER UPDATE OF path, dir, folder_id ON photos BEGIN
    UPDATE photo_text SET names = name_words(new.path, (SELECT path FROM folders WHERE id = new.folder_id)), album = coalesce((SELECT coalesce(user_title, title) FROM albums WHERE dir = new.dir), '') WHERE rowid = new.id;
  END;
  CREATE TRIGGER photos_fts_delete AFTER DELETE ON photos BEGIN
    DELETE FROM photo_text WHERE rowid = old.id;
    DELETE FROM photo_read_text WHERE rowid = old.id;
  END;
  CREATE TRIGGER albums_fts_insert AFTER INSERT ON albums BEGIN
    UPDATE photo_text SET album = coalesce(new.user_title, new.title) WHERE rowid IN (SELECT id FROM photos WHERE dir = new.dir);
  END;
  CREATE TRIGGER albums_fts_update AFTER UPDATE OF title, user_title, dir ON albums BEGIN
    UPDATE photo_text SET album = '' WHERE old.dir <> new.dir AND rowid IN (SELECT id FROM photos WHERE dir = old.dir);
    UPDATE photo_text SET album = coalesce(new.user_title, new.title) WHERE rowid IN (SELECT id FROM photos WHERE dir = new.dir);
  END;
  CREATE TRIGGER albums_fts_delete AFTER DELETE ON albums BEGIN
    UPDATE photo_text SET album = '' WHERE rowid IN (SELECT id FROM photos WHERE dir = old.dir);
  END;
  `,
  // v12: the timeline (every photo, newest first, by month) pages by (taken_at, id) over the photos it can
  // show (indexed once: a thumbnail and metadata; not unreadable, not an image skipped as too small), and
  // counts them per month in one pass. This index holds only those photos, with their kind for the photos-or-videos filter, so the count reads no table row:
  // half the time of a pass over the table at 100k (docs/PERFORMANCE.md, "timeline"). Its rowid is the id.
  `
  CREATE INDEX IF NOT EXISTS photos_timeline ON photos(taken_at, media) WHERE hash IS NOT NULL AND status NOT IN ('error', 'skipped');
  `,
  // v13: favourites, the user's own mark on a photo (a heart). Kept by the photo's id, which the scan keeps
  // when the content moves or is renamed (as captions are); leaves with the photo.
  `
  CREATE TABLE IF NOT EXISTS favourites (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    added_at INTEGER NOT NULL
  );
  `,
  // v14 (issue 28): people. `faces` is derived data (what the face models found in a photo's content,
  // redone when the content changes; `face_scans` says which content was looked at, faces or none);
  // `people` and `face_verdicts` are the user's word (a name, hidden, a cover; "this face is Anna",
  // "this face is not Anna"), kept by the photo's id and the face's place in it, so they outlive a regroup
  // and the faces being found again. A face's person is the grouping's or the user's (`by_user`).
  `
  CREATE TABLE IF NOT EXISTS people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT,
    name_key TEXT,
    hidden INTEGER NOT NULL DEFAULT 0,
    cover_face_id INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS people_name ON people(name_key);
  CREATE TABLE IF NOT EXISTS face_scans (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    model TEXT NOT NULL,
    faces INTEGER NOT NULL,
    scanned_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS faces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL,
    w REAL NOT NULL,
    h REAL NOT NULL,
    points TEXT NOT NULL,
    score REAL NOT NULL,
    side REAL NOT NULL,
    sharpness REAL NOT NULL,
    frontal REAL NOT NULL,
    embedding BLOB NOT NULL,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    by_user INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS faces_photo ON faces(photo_id);
  CREATE INDEX IF NOT EXISTS faces_person ON faces(person_id);
  CREATE TABLE IF NOT EXISTS face_verdicts (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    cx REAL NOT NULL,
    cy REAL NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    verdict TEXT NOT NULL CHECK (verdict IN ('is', 'not')),
    at INTEGER NOT NULL,
    PRIMARY KEY (photo_id, cx, cy, person_id)
  );
  CREATE INDEX IF NOT EXISTS face_verdicts_person ON face_verdicts(person_id);
  `,
  // v15 (issue 29): places. Derived data, like faces: the place the offline gazetteer names for a photo's
  // GPS coordinates (`lat`, `lon`: those it was found for, so changed coordinates are placed again;
  // `version`: the gazetteer and rules it was found with). `country` NULL: no place there (at sea), so the
  // photo is not looked up again. Gone with the photo.
  `
  CREATE TABLE IF NOT EXISTS photo_places (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    version TEXT NOT NULL,
    country TEXT,
    region_code TEXT,
    region TEXT,
    city TEXT,
    placed_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS photo_places_where ON photo_places(country, region, city);
  `,
];
