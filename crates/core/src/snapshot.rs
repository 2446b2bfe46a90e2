//! A version's sessions and agendas frozen at one moment: what a local version keeps of the
//! national version it came from.

use serde::{Deserialize, Serialize};

use crate::domain::{AgendaItem, Meta, ProgrammeVersion, Session};

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

impl SessionSnapshot {
    /// A local version's copy of this national session and its agenda: new records, each
    /// pointing at the national one it came from (`derived_from`), so later national changes
    /// can be offered and compared.
    pub fn local_copy(&self, version_id: uuid::Uuid) -> SessionSnapshot {
        let session = Session {
            meta: Meta::new(),
            version_id: Some(version_id),
            derived_from: Some(self.session.meta.id),
            ..self.session.clone()
        };
        let items = self
            .items
            .iter()
            .map(|i| AgendaItem {
                meta: Meta::new(),
                session_id: session.meta.id,
                derived_from: Some(i.meta.id),
                ..i.clone()
            })
            .collect();
        SessionSnapshot { session, items }
    }
}
