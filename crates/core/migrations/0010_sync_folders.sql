-- Sync that holds for a team over a year (see docs/sync.md).

-- Where this database was opened: the machine and the file's path. A database opened
-- somewhere else (restored from a backup, copied to another laptop) takes a new device id, so
-- two laptops never write under one identity.
ALTER TABLE device ADD COLUMN home TEXT;

-- Segment files of the sync folder this laptop has merged, by file name (names never repeat:
-- they carry the writer's device id and the segment's own id). A sync reads only the others.
CREATE TABLE merged_segment (
    name        TEXT PRIMARY KEY NOT NULL,
    device      TEXT NOT NULL,
    changes     INTEGER NOT NULL,
    merged_at   TEXT NOT NULL
) STRICT;

-- Per sync folder: every change-log entry up to `written_upto` (a `change_log.seq`) is known to
-- be in the folder, written there by this laptop or merged from it.
CREATE TABLE sync_folder_mark (
    folder        TEXT PRIMARY KEY NOT NULL,
    written_upto  INTEGER NOT NULL
) STRICT;

-- The segments this laptop wrote into each folder, to notice when the folder lost them.
CREATE TABLE written_segment (
    folder      TEXT NOT NULL,
    name        TEXT NOT NULL,
    changes     INTEGER NOT NULL,
    written_at  TEXT NOT NULL,
    PRIMARY KEY (folder, name)
) STRICT;

-- Files in a sync folder that could not be used, remembered by size and time so an unchanged
-- damaged file is not read again at every sync (it is still reported).
CREATE TABLE skipped_file (
    folder    TEXT NOT NULL,
    name      TEXT NOT NULL,
    bytes     INTEGER NOT NULL,
    modified  INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (folder, name)
) STRICT;
