-- Full-text search of reflections (SQLite FTS5, English stemming), kept in step with the
-- reflection table by triggers.
--
-- The index is keyed by search_key, a number of its own, not by reflection's rowid: VACUUM
-- (after an erasure, and every backup) may renumber the rowids of a table whose key is text.
-- secure-delete removes a deleted reflection's words from the index at once, so an erasure
-- leaves nothing behind.

ALTER TABLE reflection ADD COLUMN search_key INTEGER;
CREATE TABLE search_sequence (last INTEGER NOT NULL) STRICT;
UPDATE reflection SET search_key = rowid;
INSERT INTO search_sequence (last) SELECT coalesce(max(search_key), 0) FROM reflection;
CREATE UNIQUE INDEX reflection_by_search_key ON reflection (search_key);

CREATE VIRTUAL TABLE reflection_search USING fts5(
    text,
    prompt,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO reflection_search (reflection_search, rank) VALUES ('secure-delete', 1);
INSERT INTO reflection_search (rowid, text, prompt) SELECT search_key, text, prompt FROM reflection;

CREATE TRIGGER reflection_search_insert AFTER INSERT ON reflection BEGIN
    UPDATE search_sequence SET last = last + 1;
    UPDATE reflection SET search_key = (SELECT last FROM search_sequence) WHERE id = new.id;
    INSERT INTO reflection_search (rowid, text, prompt)
        VALUES ((SELECT last FROM search_sequence), new.text, new.prompt);
END;
CREATE TRIGGER reflection_search_delete AFTER DELETE ON reflection BEGIN
    DELETE FROM reflection_search WHERE rowid = old.search_key;
END;
CREATE TRIGGER reflection_search_update AFTER UPDATE OF text, prompt ON reflection BEGIN
    DELETE FROM reflection_search WHERE rowid = old.search_key;
    INSERT INTO reflection_search (rowid, text, prompt) VALUES (old.search_key, new.text, new.prompt);
END;

CREATE INDEX reflection_by_captured ON reflection (captured_at);
CREATE INDEX reflection_by_participant ON reflection (participant_id);
