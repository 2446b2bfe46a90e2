//! What the screens and the CLI show: records gathered with what they refer to and with
//! figures worked out (session counts, agenda times).

use serde::Serialize;
use uuid::Uuid;

use crate::agenda::{timetable, Timetable};
use crate::domain::{AgendaItem, Exercise, Programme, ProgrammeVersion, Session, VersionKind};
use crate::error::Result;
use crate::store::Store;

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
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionDetail {
    pub session: Session,
    /// `None` for a standalone session.
    pub version: Option<ProgrammeVersion>,
    pub programme: Option<Programme>,
    pub timetable: Timetable,
}

impl Store {
    /// Every programme with its versions, by title.
    pub async fn programme_overviews(&self) -> Result<Vec<ProgrammeOverview>> {
        let programmes: Vec<Programme> = self.list("1 ORDER BY title COLLATE NOCASE", &[]).await?;
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
                "programme_id = ?1 ORDER BY kind = 'local', place COLLATE NOCASE, name",
                &[programme.meta.id.to_string()],
            )
            .await?;
        let mut summaries = Vec::with_capacity(versions.len());
        for version in versions.drain(..) {
            let sessions = self.sessions_of(version.meta.id).await?.len();
            summaries.push(VersionSummary { version, sessions });
        }
        Ok(ProgrammeOverview {
            programme,
            versions: summaries,
        })
    }

    /// A version's sessions in order.
    pub async fn sessions_of(&self, version_id: Uuid) -> Result<Vec<Session>> {
        self.list(
            "version_id = ?1 ORDER BY position, date, start_time",
            &[version_id.to_string()],
        )
        .await
    }

    /// A session's agenda items in order.
    pub async fn agenda_of(&self, session_id: Uuid) -> Result<Vec<AgendaItem>> {
        self.list(
            "session_id = ?1 ORDER BY position",
            &[session_id.to_string()],
        )
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
        Ok(VersionDetail {
            programme,
            version,
            based_on,
            sessions,
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
        let timetable = timetable(&session.start_time, session.end_time.as_deref(), items)?;
        Ok(SessionDetail {
            session,
            version,
            programme,
            timetable,
        })
    }

    /// The library's exercises that are not archived, by title; with `text`, only those whose
    /// title, purpose, tags or steps contain it (ignoring case).
    pub async fn exercises(&self, text: Option<&str>) -> Result<Vec<Exercise>> {
        let all: Vec<Exercise> = self
            .list("archived = 0 ORDER BY title COLLATE NOCASE", &[])
            .await?;
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(all);
        };
        let needle = text.to_lowercase();
        Ok(all
            .into_iter()
            .filter(|e| {
                std::iter::once(&e.title)
                    .chain([&e.purpose, &e.source])
                    .chain(&e.tags)
                    .chain(&e.steps)
                    .any(|field| field.to_lowercase().contains(&needle))
            })
            .collect())
    }
}
