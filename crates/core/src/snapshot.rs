//! A version's sessions and agendas frozen at one moment: what a local version keeps of the
//! national version it came from.

use serde::{Deserialize, Serialize};

use crate::domain::{AgendaItem, ProgrammeVersion, Session};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionSnapshot {
    pub version: ProgrammeVersion,
    pub sessions: Vec<SessionSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSnapshot {
    pub session: Session,
    pub items: Vec<AgendaItem>,
}
