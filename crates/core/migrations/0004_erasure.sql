-- Erasure: a change can erase a participant, which wins everywhere and removes their
-- identity and words from every version this laptop holds. SQLite cannot widen a CHECK, so
-- the change log is rebuilt with 'erase' allowed.

CREATE TABLE change_log_new (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    stamp        TEXT NOT NULL,
    parent_stamp TEXT,
    origin       TEXT NOT NULL,
    op           TEXT NOT NULL CHECK (op IN ('put', 'delete', 'erase')),
    payload      TEXT NOT NULL,
    resolves     TEXT NOT NULL DEFAULT '[]',
    UNIQUE (record_id, stamp)
) STRICT;
INSERT INTO change_log_new (seq, kind, record_id, stamp, parent_stamp, origin, op, payload, resolves)
    SELECT seq, kind, record_id, stamp, parent_stamp, origin, op, payload, resolves FROM change_log;
DROP TABLE change_log;
ALTER TABLE change_log_new RENAME TO change_log;
CREATE INDEX change_log_by_record ON change_log (record_id);

-- Participants erased here or by an imported erasure: anything of theirs that arrives later
-- is scrubbed on the way in.
CREATE TABLE erased_participant (
    participant_id TEXT PRIMARY KEY NOT NULL
) STRICT;
