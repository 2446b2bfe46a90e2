-- Coding reflections with themes, and the views that say which live theme each tag counts
-- towards once merges are followed.

CREATE TABLE theme (
    id           TEXT PRIMARY KEY NOT NULL,
    stamp        TEXT NOT NULL,
    origin       TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    merged_into  TEXT REFERENCES theme (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

-- The id is derived from the reflection and the theme (see ThemeTag::id_for).
CREATE TABLE theme_tag (
    id             TEXT PRIMARY KEY NOT NULL,
    stamp          TEXT NOT NULL,
    origin         TEXT NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    reflection_id  TEXT NOT NULL REFERENCES reflection (id) DEFERRABLE INITIALLY DEFERRED,
    theme_id       TEXT NOT NULL REFERENCES theme (id) DEFERRABLE INITIALLY DEFERRED,
    quote          INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX theme_tag_by_reflection ON theme_tag (reflection_id);
CREATE INDEX theme_tag_by_theme ON theme_tag (theme_id, reflection_id);

-- Each theme and the live theme it counts towards: itself, or the end of its chain of merges
-- (merges made on two laptops at once can chain). A theme deleted without a merge, or a
-- chain that loops, counts towards nothing.
CREATE VIEW theme_target AS
WITH RECURSIVE chain (id, target, depth) AS (
    SELECT id, id, 0 FROM theme
    UNION ALL
    SELECT chain.id, t.merged_into, chain.depth + 1
    FROM chain JOIN theme t ON t.id = chain.target
    WHERE t.merged_into IS NOT NULL AND chain.depth < 64
)
SELECT chain.id, chain.target FROM chain JOIN theme t ON t.id = chain.target
WHERE t.deleted = 0 AND t.merged_into IS NULL;

-- Every live tag, by the live theme it counts towards. A reflection tagged with two themes
-- that were merged appears twice: count distinct reflections.
CREATE VIEW reflection_theme AS
SELECT g.reflection_id, tt.target AS theme_id, g.quote
FROM theme_tag g JOIN theme_target tt ON tt.id = g.theme_id
WHERE g.deleted = 0;
