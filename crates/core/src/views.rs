//! What the screens and the CLI show: records gathered with what they refer to and with
//! figures worked out (session counts, agenda times).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::agenda::{timetable, Timetable};
use crate::domain::{AgendaItem, Exercise, Programme, ProgrammeVersion, Session, VersionKind};
use crate::error::Result;
use crate::store::{Select, Store};

#[derive(Debug, Clone, Serialize)]
pub struct VersionSummary {
    pub version: ProgrammeVersion,
    pub sessions: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeOverview {
    pub programme: Programme,
    /// The national version first, then local versions by place.
    pub versions: Vec<VersionSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionSummary {
    pub session: Session,
    pub items: usize,
    pub start: String,
    pub end: String,
    pub total_minutes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionDetail {
    pub programme: Programme,
    pub version: ProgrammeVersion,
    /// For a local version: the national version it came from.
    pub based_on: Option<ProgrammeVersion>,
    pub sessions: Vec<SessionSummary>,
    /// For a local version: changes of the national version not yet taken or declined.
    pub national_changes: usize,
    pub national_conflicts: usize,
}

/// An agenda item's link to the library exercise it was copied from.
#[derive(Debug, Clone, Serialize)]
pub struct ExerciseLink {
    pub item_id: Uuid,
    pub exercise_id: Uuid,
    pub title: String,
    /// The exercise has been edited in the library since the item was copied.
    pub changed_since: bool,
    pub archived: bool,
}

/// What the library shows: text to look for, a tag, and what the exercise must fit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExerciseFilter {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    /// Only exercises that can be run in this many minutes.
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Only exercises that work for a group of this many people.
    #[serde(default)]
    pub group: Option<u32>,
    #[serde(default)]
    pub include_archived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionDetail {
    pub session: Session,
    /// `None` for a standalone session.
    pub version: Option<ProgrammeVersion>,
    pub programme: Option<Programme>,
    pub timetable: Timetable,
    pub exercise_links: Vec<ExerciseLink>,
    /// Materials gathered from the agenda items, each once, in agenda order.
    pub materials: Vec<String>,
}

impl Store {
    /// The first version made for `place` (the demo has Sunderland), of whichever programme.
    pub async fn version_at(&self, place: &str) -> Result<Option<ProgrammeVersion>> {
        let mut found: Vec<ProgrammeVersion> = self
            .list(Select::all().eq("place", place).by("id").limit(1))
            .await?;
        Ok(found.pop())
    }

    /// Every programme with its versions, by title.
    pub async fn programme_overviews(&self) -> Result<Vec<ProgrammeOverview>> {
        let programmes: Vec<Programme> = self.list(Select::all().by_name("title")).await?;
        let mut overviews = Vec::with_capacity(programmes.len());
        for programme in programmes {
            overviews.push(self.overview_of(programme).await?);
        }
        Ok(overviews)
    }

    pub async fn programme_overview(&self, id: Uuid) -> Result<ProgrammeOverview> {
        let programme = self.get(id).await?;
        self.overview_of(programme).await
    }

    async fn overview_of(&self, programme: Programme) -> Result<ProgrammeOverview> {
        let mut versions: Vec<ProgrammeVersion> = self
            .list(
                Select::all()
                    .eq("programme_id", programme.meta.id)
                    .by_name("place")
                    .by("name"),
            )
            .await?;
        // The national version first, then the local ones by place.
        versions.sort_by_key(|v| v.kind == VersionKind::Local);
        // One count for all versions, not a query per version: a programme can have
        // hundreds of cohorts.
        let counts: std::collections::HashMap<String, i64> = sqlx::query_as(
            "SELECT s.version_id, count(*) FROM session s
             JOIN programme_version v ON v.id = s.version_id
             WHERE s.deleted = 0 AND v.programme_id = ?1 GROUP BY s.version_id",
        )
        .bind(programme.meta.id.to_string())
        .fetch_all(self.pool_ref())
        .await?
        .into_iter()
        .collect();
        let summaries = versions
            .drain(..)
            .map(|version| VersionSummary {
                sessions: counts
                    .get(&version.meta.id.to_string())
                    .map_or(0, |n| usize::try_from(*n).unwrap_or(0)),
                version,
            })
            .collect();
        Ok(ProgrammeOverview {
            programme,
            versions: summaries,
        })
    }

    /// A version's sessions in order.
    pub async fn sessions_of(&self, version_id: Uuid) -> Result<Vec<Session>> {
        self.list(
            Select::all()
                .eq("version_id", version_id)
                .by("position")
                .by("date")
                .by("start_time"),
        )
        .await
    }

    /// A session's agenda items in order.
    pub async fn agenda_of(&self, session_id: Uuid) -> Result<Vec<AgendaItem>> {
        self.list(Select::all().eq("session_id", session_id).by("position"))
            .await
    }

    pub async fn version_detail(&self, id: Uuid) -> Result<VersionDetail> {
        let version: ProgrammeVersion = self.get(id).await?;
        let programme = self.get(version.programme_id).await?;
        let based_on = match (version.kind, version.based_on) {
            (VersionKind::Local, Some(national)) => self.get(national).await.ok(),
            _ => None,
        };
        let mut sessions = Vec::new();
        for session in self.sessions_of(id).await? {
            let items = self.agenda_of(session.meta.id).await?;
            let count = items.len();
            let times = timetable(&session.start_time, session.end_time.as_deref(), items)?;
            sessions.push(SessionSummary {
                session,
                items: count,
                start: times.start,
                end: times.end,
                total_minutes: times.total_minutes,
            });
        }
        let (national_changes, national_conflicts) = if based_on.is_some() {
            let changes = self.national_changes(id).await?.changes;
            (changes.len(), changes.iter().filter(|c| c.conflict).count())
        } else {
            (0, 0)
        };
        Ok(VersionDetail {
            programme,
            version,
            based_on,
            sessions,
            national_changes,
            national_conflicts,
        })
    }

    pub async fn session_detail(&self, id: Uuid) -> Result<SessionDetail> {
        let session: Session = self.get(id).await?;
        let version: Option<ProgrammeVersion> = match session.version_id {
            Some(v) => Some(self.get(v).await?),
            None => None,
        };
        let programme = match &version {
            Some(v) => Some(self.get(v.programme_id).await?),
            None => None,
        };
        let items = self.agenda_of(id).await?;
        let mut exercise_links = Vec::new();
        for item in &items {
            let Some(exercise_id) = item.exercise_id else {
                continue;
            };
            let found: Option<Exercise> = self.get_with_deleted(exercise_id).await?;
            if let Some(exercise) = found {
                exercise_links.push(ExerciseLink {
                    item_id: item.meta.id,
                    exercise_id,
                    changed_since: exercise.meta.stamp != item.exercise_stamp,
                    archived: exercise.archived || exercise.meta.deleted,
                    title: exercise.title,
                });
            }
        }
        let mut materials: Vec<String> = Vec::new();
        for item in &items {
            for m in material_list(&item.materials) {
                let m = m.trim().trim_end_matches('.');
                if !m.is_empty() && !materials.iter().any(|k| k.eq_ignore_ascii_case(m)) {
                    materials.push(m.to_owned());
                }
            }
        }
        let timetable = timetable(&session.start_time, session.end_time.as_deref(), items)?;
        Ok(SessionDetail {
            session,
            version,
            programme,
            timetable,
            exercise_links,
            materials,
        })
    }

    /// The library's exercises that match `filter`, by title. Text is looked for in the
    /// title, purpose, source, tags and steps, ignoring case.
    pub async fn exercises(&self, filter: &ExerciseFilter) -> Result<Vec<Exercise>> {
        crate::search::check_query_length(filter.text.as_deref().unwrap_or(""))?;
        let mut select = Select::all().by_name("title");
        if !filter.include_archived {
            select = select.eq("archived", 0);
        }
        let all: Vec<Exercise> = self.list(select).await?;
        let text = filter
            .text
            .as_deref()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty());
        let tag = filter
            .tag
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        Ok(all
            .into_iter()
            .filter(|e| {
                text.as_ref().is_none_or(|needle| {
                    std::iter::once(&e.title)
                        .chain([&e.purpose, &e.for_participants, &e.source])
                        .chain(&e.tags)
                        .chain(&e.steps)
                        .any(|field| field.to_lowercase().contains(needle))
                })
            })
            .filter(|e| tag.is_none_or(|t| e.tags.iter().any(|x| x.eq_ignore_ascii_case(t))))
            .filter(|e| filter.minutes.is_none_or(|m| e.min_minutes <= m))
            .filter(|e| {
                filter
                    .group
                    .is_none_or(|g| (e.min_group..=e.max_group).contains(&g))
            })
            .collect())
    }

    /// Every tag used in the library, sorted.
    pub async fn exercise_tags(&self) -> Result<Vec<String>> {
        let mut tags: Vec<String> = self
            .exercises(&ExerciseFilter::default())
            .await?
            .into_iter()
            .flat_map(|e| e.tags)
            .collect();
        tags.sort_by_key(|t| t.to_lowercase());
        tags.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        Ok(tags)
    }
}

/// The materials an agenda item lists: one a line or separated by semicolons when there are
/// any (so "A simple route map, if going outdoors" stays one), otherwise by commas.
pub fn material_list(text: &str) -> Vec<&str> {
    let parts: Vec<&str> = if text.contains(['\n', ';']) {
        text.split(['\n', ';']).collect()
    } else {
        text.split(',').collect()
    };
    parts
        .into_iter()
        .map(|m| m.trim().trim_end_matches('.').trim())
        .filter(|m| !m.is_empty())
        .collect()
}

#[cfg(test)]
mod material_tests {
    use super::material_list;

    #[test]
    fn a_material_with_a_comma_in_it_stays_one_when_semicolons_separate_them() {
        assert_eq!(
            material_list("Printed question cards; A simple route map, if going outdoors"),
            [
                "Printed question cards",
                "A simple route map, if going outdoors"
            ]
        );
        assert_eq!(
            material_list("Flipchart, pens, sticky notes."),
            ["Flipchart", "pens", "sticky notes"]
        );
        assert_eq!(material_list("Cards\nPens\n\n"), ["Cards", "Pens"]);
    }
}
