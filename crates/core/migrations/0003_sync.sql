-- Sync: a change may settle a conflict by naming the versions it replaces, and each laptop
-- keeps a list of the conflicts it knows of (worked out from the change log, never synced).

-- Stamps of other versions this change resolves, as a JSON list.
ALTER TABLE change_log ADD COLUMN resolves TEXT NOT NULL DEFAULT '[]';

-- For each record with concurrent versions: the versions that lost (the winner is the row).
CREATE TABLE conflict (
    kind        TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    stamp       TEXT NOT NULL,
    PRIMARY KEY (record_id, stamp)
) STRICT;

-- Bundles this laptop has imported, for the record.
CREATE TABLE imported_bundle (
    sha256       TEXT PRIMARY KEY NOT NULL,
    device       TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    changes      INTEGER NOT NULL
) STRICT;
