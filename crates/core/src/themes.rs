//! Coding reflections with themes: create, rename, merge and delete themes; tag reflections
//! one or many at a time; and the summaries that come from the tags (per place, over a
//! cohort's sessions, one place against another).
//!
//! A merge is one write (the merged theme points at the other), not a rewrite of every tag, so
//! tags made on another laptop before the merge arrived still count towards the right theme.
//! The `theme_target` and `reflection_theme` views follow merges.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{revived_or, Reflection, Theme, ThemeTag};
use crate::error::{Error, Result};
use crate::search::{Hit, SearchQuery};
use crate::store::{Select, Store};

/// The longest a theme's name may be.
pub const MAX_THEME_NAME: usize = 80;
/// The most reflections tagged or untagged in one go.
pub const MAX_TAG_BATCH: usize = 5_000;

/// A live theme and how many reflections it has.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeLine {
    pub theme: Theme,
    pub reflections: i64,
}

/// A theme's id and name, as shown beside a reflection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ThemeName {
    pub id: String,
    pub name: String,
    /// Chosen as a quote for this theme.
    pub quote: bool,
}

/// A reflection and one theme it is tagged with.
#[derive(sqlx::FromRow)]
struct TaggedWith {
    reflection_id: String,
    #[sqlx(flatten)]
    theme: ThemeName,
}

/// How a summary is broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Breakdown {
    /// One column per version (national, or the place of a local version).
    Place,
    /// One column per session of one version, in date order: a cohort over time.
    Session,
}

/// Which reflections a summary counts.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct SummaryScope {
    pub programme_id: Option<Uuid>,
    pub version_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SummaryColumn {
    pub id: String,
    pub label: String,
    /// The programme, for a place column; the date, for a session column.
    pub detail: Option<String>,
    /// Reflections in this column, tagged or not.
    pub reflections: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    pub theme_id: String,
    pub theme: String,
    /// Reflections with this theme in each column, in the columns' order.
    pub counts: Vec<i64>,
    pub total: i64,
}

/// Reflections per theme per place or session: a table, and the numbers behind a chart.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeSummary {
    pub breakdown: Breakdown,
    pub columns: Vec<SummaryColumn>,
    /// Themes with most reflections first.
    pub rows: Vec<SummaryRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComparedTheme {
    pub theme: String,
    pub a: i64,
    pub b: i64,
}

/// Which themes came up in one place and not the other.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceComparison {
    pub a: String,
    pub b: String,
    pub only_a: Vec<ComparedTheme>,
    pub only_b: Vec<ComparedTheme>,
    pub both: Vec<ComparedTheme>,
}

/// A reflection with where it was said and what the others said to the same prompt.
#[derive(Debug, Clone, Serialize)]
pub struct ReflectionContext {
    pub reflection: Hit,
    pub others: Vec<Hit>,
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("A theme needs a name."));
    }
    if name.chars().count() > MAX_THEME_NAME {
        return Err(Error::invalid(format!(
            "A theme's name can be at most {MAX_THEME_NAME} characters."
        )));
    }
    Ok(name.to_owned())
}

impl Store {
    /// Live themes in the order they were made (ids are UUIDv7, so this is the same on every
    /// laptop), with how many live reflections each has. The window numbers them in this
    /// order: a theme added later never changes what an earlier theme's number key means.
    pub async fn themes(&self) -> Result<Vec<ThemeLine>> {
        let themes: Vec<Theme> = self
            .list(Select::all().missing("merged_into").by("id"))
            .await?;
        let counts: HashMap<String, i64> = sqlx::query_as(
            "SELECT rt.theme_id, count(DISTINCT r.id) FROM reflection_theme rt
             JOIN reflection r ON r.id = rt.reflection_id AND r.deleted = 0 AND r.text != ''
             GROUP BY rt.theme_id",
        )
        .fetch_all(self.reader())
        .await?
        .into_iter()
        .collect();
        Ok(themes
            .into_iter()
            .map(|theme| ThemeLine {
                reflections: counts.get(&theme.meta.id.to_string()).copied().unwrap_or(0),
                theme,
            })
            .collect())
    }

    async fn refuse_taken_name(&self, name: &str, except: Option<Uuid>) -> Result<()> {
        let taken: Vec<Theme> = self
            .list(
                Select::all()
                    .missing("merged_into")
                    .eq_any_case("name", name),
            )
            .await?;
        if taken.iter().any(|t| Some(t.meta.id) != except) {
            return Err(Error::invalid(format!(
                "There is already a theme called \"{name}\"."
            )));
        }
        Ok(())
    }

    pub async fn create_theme(&self, name: &str) -> Result<Theme> {
        let name = check_name(name)?;
        self.refuse_taken_name(&name, None).await?;
        let mut theme = Theme {
            name,
            ..Default::default()
        };
        self.save(&mut theme).await?;
        Ok(theme)
    }

    pub async fn rename_theme(&self, id: Uuid, name: &str) -> Result<Theme> {
        let name = check_name(name)?;
        let mut theme: Theme = self.get(id).await?;
        if theme.name == name {
            return Ok(theme);
        }
        self.refuse_taken_name(&name, Some(id)).await?;
        theme.name = name;
        self.save(&mut theme).await?;
        Ok(theme)
    }

    /// Merges `from` into `into`: every reflection tagged with `from` counts towards `into`
    /// from now on, and `from` leaves the list.
    pub async fn merge_themes(&self, from: Uuid, into: Uuid) -> Result<Theme> {
        if from == into {
            return Err(Error::invalid("Choose a different theme to merge into."));
        }
        let mut merged: Theme = self.get(from).await?;
        let target: Theme = self.get(into).await?;
        if target.merged_into.is_some() {
            return Err(Error::not_found("That theme"));
        }
        merged.merged_into = Some(into);
        merged.meta.deleted = true;
        self.save(&mut merged).await?;
        Ok(target)
    }

    /// Undoes a merge: the theme comes back with its own tags.
    pub async fn unmerge_theme(&self, id: Uuid) -> Result<Theme> {
        let mut theme: Theme = self
            .get_with_deleted(id)
            .await?
            .ok_or_else(|| Error::not_found("That theme"))?;
        if theme.merged_into.is_none() {
            return Ok(theme);
        }
        self.refuse_taken_name(&theme.name, Some(id)).await?;
        theme.merged_into = None;
        theme.meta.deleted = false;
        self.save(&mut theme).await?;
        Ok(theme)
    }

    /// The live theme that a tag with `id` counts towards.
    async fn live_theme(&self, id: Uuid) -> Result<Uuid> {
        let target: Option<String> =
            sqlx::query_scalar("SELECT target FROM theme_target WHERE id = ?1")
                .bind(id.to_string())
                .fetch_optional(self.reader())
                .await?;
        target
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| Error::not_found("That theme"))
    }

    fn check_batch(reflections: &[Uuid]) -> Result<()> {
        if reflections.is_empty() {
            return Err(Error::invalid("Choose at least one reflection."));
        }
        if reflections.len() > MAX_TAG_BATCH {
            return Err(Error::invalid(format!(
                "Tag at most {MAX_TAG_BATCH} reflections at a time."
            )));
        }
        Ok(())
    }

    /// Tags reflections with a theme (or with the theme it was merged into). Returns how many
    /// were not tagged with it before. All or nothing: an unknown reflection changes nothing.
    pub async fn tag_reflections(&self, theme_id: Uuid, reflections: &[Uuid]) -> Result<usize> {
        Self::check_batch(reflections)?;
        let theme_id = self.live_theme(theme_id).await?;
        let mut changed = 0;
        let mut writer = self.writer().await?;
        for &reflection_id in reflections {
            let live: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM reflection WHERE id = ?1 AND deleted = 0 AND text != ''",
            )
            .bind(reflection_id.to_string())
            .fetch_optional(writer.tx())
            .await?;
            if live.is_none() {
                return Err(Error::not_found("One of those reflections"));
            }
            let id = ThemeTag::id_for(reflection_id, theme_id);
            let existing: Option<ThemeTag> = writer.find(id).await?;
            if existing.as_ref().is_some_and(|tag| !tag.meta.deleted) {
                continue;
            }
            let mut tag = revived_or(existing, id, |meta| ThemeTag {
                meta,
                reflection_id,
                theme_id,
                ..Default::default()
            });
            writer.save(&mut tag).await?;
            changed += 1;
        }
        writer.commit().await?;
        Ok(changed)
    }

    /// Takes a theme off reflections, including tags made with themes merged into it. Returns
    /// how many reflections had it.
    pub async fn untag_reflections(&self, theme_id: Uuid, reflections: &[Uuid]) -> Result<usize> {
        Self::check_batch(reflections)?;
        let theme_id = self.live_theme(theme_id).await?;
        let mut writer = self.writer().await?;
        let mut changed = 0;
        for &reflection_id in reflections {
            let tags: Vec<String> = sqlx::query_scalar(
                "SELECT g.id FROM theme_tag g JOIN theme_target tt ON tt.id = g.theme_id
                 WHERE g.deleted = 0 AND g.reflection_id = ?1 AND tt.target = ?2",
            )
            .bind(reflection_id.to_string())
            .bind(theme_id.to_string())
            .fetch_all(writer.tx())
            .await?;
            if !tags.is_empty() {
                changed += 1;
            }
            for id in tags {
                let id: Uuid = id.parse().map_err(|_| Error::not_found("That tag"))?;
                if let Some(mut tag) = writer.find::<ThemeTag>(id).await? {
                    tag.meta.deleted = true;
                    writer.save(&mut tag).await?;
                }
            }
        }
        writer.commit().await?;
        Ok(changed)
    }

    /// Chooses (or stops choosing) a tagged reflection as a quote for its theme in the
    /// learning summary.
    pub async fn choose_quote(
        &self,
        reflection_id: Uuid,
        theme_id: Uuid,
        quote: bool,
    ) -> Result<()> {
        let theme_id = self.live_theme(theme_id).await?;
        let id: Option<String> = sqlx::query_scalar(
            "SELECT g.id FROM theme_tag g JOIN theme_target tt ON tt.id = g.theme_id
             WHERE g.deleted = 0 AND g.reflection_id = ?1 AND tt.target = ?2
             ORDER BY g.theme_id = ?2 DESC LIMIT 1",
        )
        .bind(reflection_id.to_string())
        .bind(theme_id.to_string())
        .fetch_optional(self.reader())
        .await?;
        let id: Uuid = id
            .and_then(|i| i.parse().ok())
            .ok_or_else(|| Error::invalid("Tag the reflection with the theme first."))?;
        let mut tag: ThemeTag = self.get(id).await?;
        if tag.quote != quote {
            tag.quote = quote;
            self.save(&mut tag).await?;
        }
        Ok(())
    }

    /// The live themes of each of `reflections`, by name.
    pub(crate) async fn themes_of(
        &self,
        reflections: &[String],
    ) -> Result<HashMap<String, Vec<ThemeName>>> {
        let mut found: HashMap<String, Vec<ThemeName>> = HashMap::new();
        for chunk in reflections.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT rt.reflection_id, t.id, t.name, max(rt.quote) AS quote
                 FROM reflection_theme rt JOIN theme t ON t.id = rt.theme_id
                 WHERE rt.reflection_id IN ({marks})
                 GROUP BY rt.reflection_id, t.id ORDER BY t.name COLLATE NOCASE"
            );
            let mut query = sqlx::query_as::<_, TaggedWith>(&sql);
            for r in chunk {
                query = query.bind(r);
            }
            for row in query.fetch_all(self.reader()).await? {
                found.entry(row.reflection_id).or_default().push(row.theme);
            }
        }
        Ok(found)
    }

    /// Reflections per theme, broken down by place or by session. A breakdown by session
    /// needs a version (one cohort's sessions over time).
    pub async fn theme_summary(
        &self,
        scope: SummaryScope,
        breakdown: Breakdown,
    ) -> Result<ThemeSummary> {
        if breakdown == Breakdown::Session && scope.version_id.is_none() {
            return Err(Error::invalid(
                "Choose a programme and place to see its themes session by session.",
            ));
        }
        let programme = scope.programme_id.map(|p| p.to_string());
        let version = scope.version_id.map(|v| v.to_string());
        // Only the conditions that apply, so that SQLite can use the indexes for them.
        let scope_sql = match (&programme, &version) {
            (Some(_), Some(_)) => "v.programme_id = ?1 AND v.id = ?2",
            (Some(_), None) => "v.programme_id = ?1 AND ?2 IS NULL",
            (None, Some(_)) => "?1 IS NULL AND v.id = ?2",
            (None, None) => "?1 IS NULL AND ?2 IS NULL",
        };
        let (column_sql, key) = match breakdown {
            Breakdown::Place => (
                "SELECT v.id, CASE v.kind WHEN 'national' THEN 'National' ELSE v.place END AS label,
                    g.title AS detail,
                    (SELECT count(*) FROM session s JOIN reflection r ON r.session_id = s.id
                     WHERE s.version_id = v.id AND r.deleted = 0 AND r.text != '') AS reflections
                 FROM programme_version v JOIN programme g ON g.id = v.programme_id
                 WHERE v.deleted = 0 AND g.deleted = 0
                   AND {scope}
                 ORDER BY g.title COLLATE NOCASE, v.kind = 'local', v.place COLLATE NOCASE",
                "s.version_id",
            ),
            Breakdown::Session => (
                "SELECT s.id, s.title AS label, s.date AS detail,
                    (SELECT count(*) FROM reflection r
                     WHERE r.session_id = s.id AND r.deleted = 0 AND r.text != '') AS reflections
                 FROM session s LEFT JOIN programme_version v ON v.id = s.version_id
                 WHERE s.deleted = 0
                   AND {scope}
                 ORDER BY s.date IS NULL, s.date, s.position",
                "s.id",
            ),
        };
        let columns: Vec<SummaryColumn> = sqlx::query_as(&column_sql.replace("{scope}", scope_sql))
            .bind(&programme)
            .bind(&version)
            .fetch_all(self.reader())
            .await?;
        let counts: Vec<(String, String, i64)> = sqlx::query_as(&format!(
            "SELECT rt.theme_id, {key}, count(DISTINCT r.id)
             FROM reflection_theme rt
             JOIN reflection r ON r.id = rt.reflection_id AND r.deleted = 0 AND r.text != ''
             JOIN session s ON s.id = r.session_id AND s.deleted = 0
             JOIN programme_version v ON v.id = s.version_id
             WHERE {scope_sql}
             GROUP BY rt.theme_id, {key}"
        ))
        .bind(&programme)
        .bind(&version)
        .fetch_all(self.reader())
        .await?;
        let position: HashMap<&str, usize> = columns
            .iter()
            .enumerate()
            .map(|(n, c)| (c.id.as_str(), n))
            .collect();
        let names: HashMap<String, String> =
            sqlx::query_as("SELECT id, name FROM theme WHERE deleted = 0 AND merged_into IS NULL")
                .fetch_all(self.reader())
                .await?
                .into_iter()
                .collect();
        let mut rows: BTreeMap<String, SummaryRow> = BTreeMap::new();
        for (theme_id, column, n) in counts {
            let (Some(&at), Some(name)) = (position.get(column.as_str()), names.get(&theme_id))
            else {
                continue;
            };
            let row = rows.entry(theme_id.clone()).or_insert_with(|| SummaryRow {
                theme_id,
                theme: name.clone(),
                counts: vec![0; columns.len()],
                total: 0,
            });
            row.counts[at] += n;
            row.total += n;
        }
        let mut rows: Vec<SummaryRow> = rows.into_values().collect();
        rows.sort_by(|a, b| {
            b.total
                .cmp(&a.total)
                .then_with(|| a.theme.to_lowercase().cmp(&b.theme.to_lowercase()))
        });
        Ok(ThemeSummary {
            breakdown,
            columns,
            rows,
        })
    }

    /// Which themes came up in version `a`'s place and not in `b`'s, and the other way round.
    pub async fn compare_places(&self, a: Uuid, b: Uuid) -> Result<PlaceComparison> {
        if a == b {
            return Err(Error::invalid("Choose two different places to compare."));
        }
        let summary = self
            .theme_summary(SummaryScope::default(), Breakdown::Place)
            .await?;
        let at = |id: Uuid| {
            summary
                .columns
                .iter()
                .position(|c| c.id == id.to_string())
                .ok_or_else(|| Error::not_found("That place"))
        };
        let (ia, ib) = (at(a)?, at(b)?);
        let mut comparison = PlaceComparison {
            a: summary.columns[ia].label.clone(),
            b: summary.columns[ib].label.clone(),
            only_a: vec![],
            only_b: vec![],
            both: vec![],
        };
        for row in &summary.rows {
            let theme = ComparedTheme {
                theme: row.theme.clone(),
                a: row.counts[ia],
                b: row.counts[ib],
            };
            match (theme.a > 0, theme.b > 0) {
                (true, true) => comparison.both.push(theme),
                (true, false) => comparison.only_a.push(theme),
                (false, true) => comparison.only_b.push(theme),
                (false, false) => {}
            }
        }
        Ok(comparison)
    }

    /// A reflection with its session, item and prompt, and what the others said in answer to
    /// the same prompt in the same session.
    pub async fn reflection_in_context(&self, id: Uuid) -> Result<ReflectionContext> {
        let reflection: Reflection = self.get(id).await?;
        let mut query = SearchQuery {
            session_id: Some(reflection.session_id),
            agenda_item_id: reflection.agenda_item_id,
            prompt: Some(reflection.prompt.clone()),
            limit: Some(500),
            ..SearchQuery::default()
        };
        query.no_item = reflection.agenda_item_id.is_none();
        let found = self.search(&query).await?;
        let (mine, others): (Vec<Hit>, Vec<Hit>) =
            found.hits.into_iter().partition(|h| h.id == id.to_string());
        let reflection = mine
            .into_iter()
            .next()
            .ok_or_else(|| Error::not_found("That reflection"))?;
        Ok(ReflectionContext { reflection, others })
    }
}
