-- Fieldbook's first schema.
--
-- Every record that travels in sync bundles carries the same header: a UUIDv7 id made on the
-- laptop that created it, the hybrid-logical-clock stamp of its latest write, the device that
-- wrote it, a tombstone flag (deletes are never physical), and UTC times.
-- Foreign keys are deferred so that a transaction may write records in any order.

-- This installation of Fieldbook (exactly one row) and its logical clock.
CREATE TABLE device (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    clock_ms      INTEGER NOT NULL DEFAULT 0,
    clock_counter INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Local preferences that never travel (last export folder, demo seeded...).
CREATE TABLE setting (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- Append-only history of every write: what sync exports, and the base of conflict handling.
CREATE TABLE change_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    stamp        TEXT NOT NULL,
    parent_stamp TEXT,
    origin       TEXT NOT NULL,
    op           TEXT NOT NULL CHECK (op IN ('put', 'delete')),
    payload      TEXT NOT NULL,
    UNIQUE (record_id, stamp)
) STRICT;
CREATE INDEX change_log_by_record ON change_log (record_id);

CREATE TABLE programme (
    id          TEXT PRIMARY KEY NOT NULL,
    stamp       TEXT NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT '',
    purpose     TEXT NOT NULL DEFAULT '',
    outcomes    TEXT NOT NULL DEFAULT '[]',
    themes      TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- The national version (the template) or a local version designed for a place.
CREATE TABLE programme_version (
    id                TEXT PRIMARY KEY NOT NULL,
    stamp             TEXT NOT NULL,
    origin            TEXT NOT NULL,
    deleted           INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    programme_id      TEXT NOT NULL REFERENCES programme (id) DEFERRABLE INITIALLY DEFERRED,
    kind              TEXT NOT NULL CHECK (kind IN ('national', 'local')),
    name              TEXT NOT NULL,
    place             TEXT NOT NULL DEFAULT '',
    partners          TEXT NOT NULL DEFAULT '[]',
    lead_facilitators TEXT NOT NULL DEFAULT '[]',
    cohort_start      TEXT,
    cohort_end        TEXT,
    -- For a local version: the national version it came from, and that version as it was
    -- when the local one was made (the base of a later three-way merge).
    based_on          TEXT REFERENCES programme_version (id) DEFERRABLE INITIALLY DEFERRED,
    base_snapshot     TEXT
) STRICT;
CREATE INDEX programme_version_by_programme ON programme_version (programme_id);

-- One gathering; a session with no version stands alone (a one-off event).
CREATE TABLE session (
    id          TEXT PRIMARY KEY NOT NULL,
    stamp       TEXT NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version_id  TEXT REFERENCES programme_version (id) DEFERRABLE INITIALLY DEFERRED,
    position    REAL NOT NULL DEFAULT 0,
    title       TEXT NOT NULL,
    date        TEXT,
    start_time  TEXT NOT NULL DEFAULT '09:30',
    end_time    TEXT,
    venue       TEXT NOT NULL DEFAULT '',
    objectives  TEXT NOT NULL DEFAULT '',
    -- In a local version: the national session this one was adapted from.
    derived_from TEXT
) STRICT;
CREATE INDEX session_by_version ON session (version_id, position);

CREATE TABLE exercise (
    id           TEXT PRIMARY KEY NOT NULL,
    stamp        TEXT NOT NULL,
    origin       TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    title        TEXT NOT NULL,
    purpose      TEXT NOT NULL DEFAULT '',
    steps        TEXT NOT NULL DEFAULT '[]',
    min_minutes  INTEGER NOT NULL,
    max_minutes  INTEGER NOT NULL,
    min_group    INTEGER NOT NULL,
    max_group    INTEGER NOT NULL,
    materials    TEXT NOT NULL DEFAULT '[]',
    prompts      TEXT NOT NULL DEFAULT '[]',
    tags         TEXT NOT NULL DEFAULT '[]',
    source       TEXT NOT NULL DEFAULT '',
    archived     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A timed block of a session's agenda; may be a copy of a library exercise (and which
-- revision of it, by stamp).
CREATE TABLE agenda_item (
    id              TEXT PRIMARY KEY NOT NULL,
    stamp           TEXT NOT NULL,
    origin          TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    session_id      TEXT NOT NULL REFERENCES session (id) DEFERRABLE INITIALLY DEFERRED,
    position        REAL NOT NULL DEFAULT 0,
    title           TEXT NOT NULL,
    minutes         INTEGER NOT NULL CHECK (minutes >= 0),
    kind            TEXT NOT NULL DEFAULT 'activity'
                    CHECK (kind IN ('activity', 'break', 'plenary', 'breakout', 'pairs')),
    notes           TEXT NOT NULL DEFAULT '',
    materials       TEXT NOT NULL DEFAULT '',
    prompt          TEXT NOT NULL DEFAULT '',
    pinned_time     TEXT,
    exercise_id     TEXT REFERENCES exercise (id) DEFERRABLE INITIALLY DEFERRED,
    exercise_stamp  TEXT,
    -- In a local version: the national agenda item this one was adapted from.
    derived_from    TEXT
) STRICT;
CREATE INDEX agenda_item_by_session ON agenda_item (session_id, position);

CREATE TABLE participant (
    id                  TEXT PRIMARY KEY NOT NULL,
    stamp               TEXT NOT NULL,
    origin              TEXT NOT NULL,
    deleted             INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    version_id          TEXT REFERENCES programme_version (id) DEFERRABLE INITIALLY DEFERRED,
    name                TEXT NOT NULL,
    organisation        TEXT NOT NULL DEFAULT '',
    sector              TEXT NOT NULL DEFAULT ''
                        CHECK (sector IN ('', 'public', 'private', 'voluntary', 'community')),
    role                TEXT NOT NULL DEFAULT '',
    consent_named       INTEGER NOT NULL DEFAULT 0,
    consent_named_at    TEXT,
    consent_quoted      INTEGER NOT NULL DEFAULT 0,
    consent_quoted_at   TEXT,
    consent_contact     INTEGER NOT NULL DEFAULT 0,
    consent_contact_at  TEXT
) STRICT;
CREATE INDEX participant_by_version ON participant (version_id);

CREATE TABLE reflection (
    id              TEXT PRIMARY KEY NOT NULL,
    stamp           TEXT NOT NULL,
    origin          TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    session_id      TEXT NOT NULL REFERENCES session (id) DEFERRABLE INITIALLY DEFERRED,
    agenda_item_id  TEXT REFERENCES agenda_item (id) DEFERRABLE INITIALLY DEFERRED,
    participant_id  TEXT REFERENCES participant (id) DEFERRABLE INITIALLY DEFERRED,
    prompt          TEXT NOT NULL DEFAULT '',
    text            TEXT NOT NULL,
    captured_at     TEXT NOT NULL
) STRICT;
CREATE INDEX reflection_by_session ON reflection (session_id);

CREATE TABLE facilitator_note (
    id          TEXT PRIMARY KEY NOT NULL,
    stamp       TEXT NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    session_id  TEXT NOT NULL REFERENCES session (id) DEFERRABLE INITIALLY DEFERRED,
    text        TEXT NOT NULL,
    observed_at TEXT
) STRICT;
CREATE INDEX facilitator_note_by_session ON facilitator_note (session_id);
