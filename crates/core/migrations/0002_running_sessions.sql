-- Running a session: the run log, attendance and participants' actions.

-- What really happened when a session ran: each press of start, next, pause... with its time.
-- The state of a run (current item, countdown, actual times) follows from these events.
CREATE TABLE run_event (
    id          TEXT PRIMARY KEY NOT NULL,
    stamp       TEXT NOT NULL,
    origin      TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    session_id  TEXT NOT NULL REFERENCES session (id) DEFERRABLE INITIALLY DEFERRED,
    action      TEXT NOT NULL
                CHECK (action IN ('start', 'next', 'previous', 'pause', 'resume', 'extend', 'finish')),
    minutes     INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX run_event_by_session ON run_event (session_id, at);

-- A participant's presence at a session. The id is derived from the session and participant,
-- so two laptops marking the same person make the same record (a concurrent edit, not a copy).
CREATE TABLE attendance (
    id              TEXT PRIMARY KEY NOT NULL,
    stamp           TEXT NOT NULL,
    origin          TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    session_id      TEXT NOT NULL REFERENCES session (id) DEFERRABLE INITIALLY DEFERRED,
    participant_id  TEXT NOT NULL REFERENCES participant (id) DEFERRABLE INITIALLY DEFERRED,
    status          TEXT NOT NULL CHECK (status IN ('present', 'late', 'absent')),
    walk_in         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX attendance_by_session ON attendance (session_id);

-- A participant's commitment ("what I will do differently"), followed up at the cohort's
-- next session.
CREATE TABLE action (
    id              TEXT PRIMARY KEY NOT NULL,
    stamp           TEXT NOT NULL,
    origin          TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    session_id      TEXT NOT NULL REFERENCES session (id) DEFERRABLE INITIALLY DEFERRED,
    participant_id  TEXT REFERENCES participant (id) DEFERRABLE INITIALLY DEFERRED,
    text            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    follow_up       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX action_by_session ON action (session_id);
CREATE INDEX action_by_participant ON action (participant_id);
