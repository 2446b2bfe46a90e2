//! What a participant is called in anything shared: their own name if they agreed to be
//! named, otherwise one pseudonym, "Participant N", the same for the whole cohort in every
//! file and for every audience (session and version exports, facilitator notes and
//! handouts, QDA projects, learning summaries). N comes from the `participant_pseudonym`
//! view (migration 0014): the person's place in the order their cohort's records were made.
//! Nothing else that could identify them (organisation, role, email) stands beside a
//! pseudonym. See docs/documents.md.

use std::collections::HashMap;

use uuid::Uuid;

use crate::domain::Participant;
use crate::error::Result;
use crate::store::Store;

/// The pseudonym of the person numbered `n` in their cohort.
pub fn pseudonym(n: i64) -> String {
    format!("Participant {n}")
}

/// Every participant's number within their cohort, read once for a file.
#[derive(Debug, Default, Clone)]
pub struct Pseudonyms {
    numbers: HashMap<Uuid, i64>,
}

impl Pseudonyms {
    /// The number of a participant, if this laptop holds their record.
    pub fn number(&self, id: Uuid) -> Option<i64> {
        self.numbers.get(&id).copied()
    }

    /// What `participant` is called: their name if they agreed to be named, otherwise their
    /// cohort pseudonym.
    pub fn name_of(&self, participant: &Participant) -> String {
        if participant.consent_named {
            return participant.name.clone();
        }
        self.pseudonym_of(participant.meta.id)
    }

    /// The cohort pseudonym of a participant, whatever they consented to.
    pub fn pseudonym_of(&self, id: Uuid) -> String {
        self.number(id)
            .map(pseudonym)
            .unwrap_or_else(|| "A participant".to_owned())
    }

    /// The organisation to show beside someone: only if they agreed to be named.
    pub fn organisation_of(participant: &Participant) -> &str {
        if participant.consent_named {
            &participant.organisation
        } else {
            ""
        }
    }
}

impl Store {
    /// Every participant's pseudonym number within their cohort.
    pub async fn pseudonyms(&self) -> Result<Pseudonyms> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT participant_id, number FROM participant_pseudonym")
                .fetch_all(self.reader())
                .await?;
        Ok(Pseudonyms {
            numbers: rows
                .into_iter()
                .filter_map(|(id, n)| Uuid::try_parse(&id).ok().map(|id| (id, n)))
                .collect(),
        })
    }
}
