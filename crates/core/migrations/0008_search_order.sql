-- Search keys in time order: a reflection's search_key is the millisecond it was captured
-- times 1024, plus a small number to tell apart reflections captured in the same
-- millisecond. The index's own order is then newest-last, so "newest first" reads the index
-- backwards and stops after a page, instead of sorting every match; and a date range is a
-- range of keys. Deleted reflections leave the index, so counting matches needs no join.

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

CREATE VIRTUAL TABLE reflection_search USING fts5(
    text,
    prompt,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO reflection_search (reflection_search, rank) VALUES ('secure-delete', 1);
INSERT INTO reflection_search (rowid, text, prompt)
    SELECT search_key, text, prompt FROM reflection WHERE deleted = 0 AND text != '';

-- The first free key for a reflection captured at `captured_at`.
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
    INSERT INTO reflection_search (rowid, text, prompt)
        SELECT search_key, text, prompt FROM reflection
        WHERE id = new.id AND deleted = 0 AND text != '';
END;

CREATE TRIGGER reflection_search_delete AFTER DELETE ON reflection BEGIN
    DELETE FROM reflection_search WHERE rowid = old.search_key;
END;

CREATE TRIGGER reflection_search_update AFTER UPDATE OF text, prompt, deleted, captured_at ON reflection BEGIN
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
    INSERT INTO reflection_search (rowid, text, prompt)
        SELECT search_key, text, prompt FROM reflection
        WHERE id = new.id AND deleted = 0 AND text != '';
END;
