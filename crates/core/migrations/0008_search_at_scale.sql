-- Search at scale.
--
-- Keys in time order: a reflection's search_key is the millisecond it was captured times
-- 1024, plus a small number to tell apart reflections captured in the same millisecond. The
-- index's own order is then oldest first, so "newest first" reads it backwards and stops
-- after a page instead of sorting every match, and a date range is a range of keys.
--
-- Filters inside the index: each reflection's session, version, programme, sector and
-- participant are tokens in a third column, so "one programme, public sector" is answered by
-- the index alone instead of by joining every match to four tables. A token ends in 0 so the
-- English stemmer leaves it whole. Triggers keep the tokens right when a participant's sector
-- changes (or they are erased) and when records arrive in any order.
--
-- Deleted and emptied (erased) reflections leave the index, so counting matches needs no join.

DROP TRIGGER reflection_search_insert;
DROP TRIGGER reflection_search_delete;
DROP TRIGGER reflection_search_update;
DROP TABLE reflection_search;
DROP TABLE search_sequence;
DROP INDEX reflection_by_search_key;

UPDATE reflection SET search_key = keyed.k
FROM (
    SELECT id, ms * 1024 + row_number() OVER (PARTITION BY ms ORDER BY id) - 1 AS k
    FROM (SELECT id, CAST(round((julianday(captured_at) - 2440587.5) * 86400000) AS INTEGER) AS ms FROM reflection)
) AS keyed
WHERE keyed.id = reflection.id;
CREATE UNIQUE INDEX reflection_by_search_key ON reflection (search_key);
-- Live reflections in time order: the list without words, and its count.
CREATE INDEX reflection_live_by_key ON reflection (search_key) WHERE deleted = 0 AND text != '';

CREATE VIEW reflection_search_row AS
SELECT r.id, r.search_key, r.text, r.prompt,
       'fbs' || replace(r.session_id, '-', '') || '0'
       || coalesce(' fbv' || replace(s.version_id, '-', '') || '0', '')
       || coalesce(' fbg' || replace(v.programme_id, '-', '') || '0', '')
       || coalesce(' fbsector' || nullif(p.sector, '') || '0', '')
       || coalesce(' fbp' || replace(r.participant_id, '-', '') || '0', '') AS facets
FROM reflection r
LEFT JOIN session s ON s.id = r.session_id
LEFT JOIN programme_version v ON v.id = s.version_id
LEFT JOIN participant p ON p.id = r.participant_id
WHERE r.deleted = 0 AND r.text != '';

CREATE VIRTUAL TABLE reflection_search USING fts5(
    text,
    prompt,
    facets,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO reflection_search (reflection_search, rank) VALUES ('secure-delete', 1);
INSERT INTO reflection_search (rowid, text, prompt, facets)
    SELECT search_key, text, prompt, facets FROM reflection_search_row;

CREATE TRIGGER reflection_search_insert AFTER INSERT ON reflection BEGIN
    UPDATE reflection SET search_key = (
        WITH base (b) AS (
            SELECT CAST(round((julianday(new.captured_at) - 2440587.5) * 86400000) AS INTEGER) * 1024
        )
        SELECT coalesce(
            (SELECT max(search_key) + 1 FROM reflection, base WHERE search_key BETWEEN b AND b + 1023),
            b)
        FROM base
    ) WHERE id = new.id;
    INSERT INTO reflection_search (rowid, text, prompt, facets)
        SELECT search_key, text, prompt, facets FROM reflection_search_row WHERE id = new.id;
END;

CREATE TRIGGER reflection_search_delete AFTER DELETE ON reflection BEGIN
    DELETE FROM reflection_search WHERE rowid = old.search_key;
END;

CREATE TRIGGER reflection_search_update
AFTER UPDATE OF text, prompt, deleted, captured_at, session_id, participant_id ON reflection BEGIN
    DELETE FROM reflection_search WHERE rowid = old.search_key;
    UPDATE reflection SET search_key = (
        WITH base (b) AS (
            SELECT CAST(round((julianday(new.captured_at) - 2440587.5) * 86400000) AS INTEGER) * 1024
        )
        SELECT coalesce(
            (SELECT max(search_key) + 1 FROM reflection, base WHERE search_key BETWEEN b AND b + 1023),
            b)
        FROM base
    ) WHERE id = new.id AND new.captured_at IS NOT old.captured_at;
    INSERT INTO reflection_search (rowid, text, prompt, facets)
        SELECT search_key, text, prompt, facets FROM reflection_search_row WHERE id = new.id;
END;

-- A participant's sector changes (or they are erased), or they arrive after their words.
CREATE TRIGGER reflection_search_participant_insert AFTER INSERT ON participant BEGIN
    DELETE FROM reflection_search
        WHERE rowid IN (SELECT search_key FROM reflection WHERE participant_id = new.id);
    INSERT INTO reflection_search (rowid, text, prompt, facets)
        SELECT search_key, text, prompt, facets FROM reflection_search_row
        WHERE id IN (SELECT id FROM reflection WHERE participant_id = new.id);
END;
CREATE TRIGGER reflection_search_participant_update AFTER UPDATE OF sector ON participant
WHEN new.sector IS NOT old.sector BEGIN
    DELETE FROM reflection_search
        WHERE rowid IN (SELECT search_key FROM reflection WHERE participant_id = new.id);
    INSERT INTO reflection_search (rowid, text, prompt, facets)
        SELECT search_key, text, prompt, facets FROM reflection_search_row
        WHERE id IN (SELECT id FROM reflection WHERE participant_id = new.id);
END;
-- A session arrives after its reflections, or moves to another version.
CREATE TRIGGER reflection_search_session_insert AFTER INSERT ON session BEGIN
    DELETE FROM reflection_search
        WHERE rowid IN (SELECT search_key FROM reflection WHERE session_id = new.id);
    INSERT INTO reflection_search (rowid, text, prompt, facets)
        SELECT search_key, text, prompt, facets FROM reflection_search_row
        WHERE id IN (SELECT id FROM reflection WHERE session_id = new.id);
END;
CREATE TRIGGER reflection_search_session_update AFTER UPDATE OF version_id ON session
WHEN new.version_id IS NOT old.version_id BEGIN
    DELETE FROM reflection_search
        WHERE rowid IN (SELECT search_key FROM reflection WHERE session_id = new.id);
    INSERT INTO reflection_search (rowid, text, prompt, facets)
        SELECT search_key, text, prompt, facets FROM reflection_search_row
        WHERE id IN (SELECT id FROM reflection WHERE session_id = new.id);
END;
