//! What a participant is called in anything shared: their own name if they agreed to be
//! named, otherwise one pseudonym, "Participant N", the same for the whole cohort in every
//! file and for every audience (session and version exports, facilitator notes and
//! handouts, QDA projects, learning summaries). N is stored on the person's record when they
//! are first saved: one more than the highest in their cohort (migration 0016). Records with
//! none (made before it was stored) keep the place in id order they had by the rule of
//! migration 0014. Clashes (two laptops adding someone offline) are settled when numbers are
//! read, the same way on every laptop ([`settle`]). Nothing else that could identify them
//! (organisation, role, email) stands beside a pseudonym. See docs/documents.md.

use std::collections::{BTreeSet, HashMap};

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

/// Everyone's number in one cohort, from the numbers stored on their records (`None` for a
/// record made before numbers were stored): a pure function of the cohort, so every laptop
/// that holds the same records gives the same numbers.
///
/// - Each stored number belongs to the person with the earliest id who holds it.
/// - Anyone else who holds it (two laptops added someone offline) takes the next number
///   above it that nobody holds, in the order (number, id).
/// - Records without a number then take the lowest numbers nobody holds, in id order: for a
///   cohort whose records all came before numbers were stored, their place in id order, the
///   rule files were made with before (migration 0014).
///
/// Only those who clash, or hold no number, get one other than their own.
pub fn settle(cohort: &[(Uuid, Option<i64>)]) -> HashMap<Uuid, i64> {
    let mut claims: Vec<(i64, Uuid)> = cohort
        .iter()
        .filter_map(|&(id, n)| n.filter(|n| *n > 0).map(|n| (n, id)))
        .collect();
    claims.sort_unstable();
    let mut unnumbered: Vec<Uuid> = cohort
        .iter()
        .filter(|(_, n)| !n.is_some_and(|n| n > 0))
        .map(|&(id, _)| id)
        .collect();
    unnumbered.sort_unstable();
    let mut numbers = HashMap::with_capacity(cohort.len());
    let mut taken = BTreeSet::new();
    let mut waiting = Vec::new();
    for (n, id) in claims {
        if taken.insert(n) {
            numbers.insert(id, n);
        } else {
            waiting.push((n, id));
        }
    }
    waiting.extend(unnumbered.into_iter().map(|id| (0, id)));
    for (held, id) in waiting {
        let mut n = held + 1;
        while taken.contains(&n) {
            n += 1;
        }
        taken.insert(n);
        numbers.insert(id, n);
    }
    numbers
}

/// The number to store on participant `id` of cohort `version_id` as it is saved: the one
/// they have now if their record is here already (made before numbers were stored), else one
/// more than the highest in their cohort.
pub(crate) async fn number_to_store(
    tx: &mut sqlx::SqliteConnection,
    id: Uuid,
    version_id: Option<Uuid>,
) -> Result<i64> {
    let rows: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT id, pseudonym_number FROM participant WHERE version_id IS ?1")
            .bind(version_id.map(|v| v.to_string()))
            .fetch_all(&mut *tx)
            .await?;
    let cohort: Vec<(Uuid, Option<i64>)> = rows
        .into_iter()
        .filter_map(|(id, n)| Uuid::try_parse(&id).ok().map(|id| (id, n)))
        .collect();
    let numbers = settle(&cohort);
    Ok(match numbers.get(&id) {
        Some(&n) => n,
        None => numbers.values().max().copied().unwrap_or(0) + 1,
    })
}

impl Store {
    /// Every participant's pseudonym number within their cohort, deleted, erased and
    /// anonymised people included (their rows stay).
    pub async fn pseudonyms(&self) -> Result<Pseudonyms> {
        let rows: Vec<(String, Option<String>, Option<i64>)> =
            sqlx::query_as("SELECT id, version_id, pseudonym_number FROM participant")
                .fetch_all(self.reader())
                .await?;
        let mut cohorts: HashMap<Option<String>, Vec<(Uuid, Option<i64>)>> = HashMap::new();
        for (id, version, n) in rows {
            if let Ok(id) = Uuid::try_parse(&id) {
                cohorts.entry(version).or_default().push((id, n));
            }
        }
        Ok(Pseudonyms {
            numbers: cohorts.values().flat_map(|c| settle(c)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::day::NewParticipant;
    use crate::domain::Participant;
    use crate::sync::BundleScope;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_clash_goes_to_the_earlier_id_and_only_the_clashing_person_moves() {
        // Two laptops each gave number 3 (ids 3 and 4); 4 is someone else's already.
        let cohort = [
            (id(1), Some(1)),
            (id(2), Some(2)),
            (id(4), Some(3)),
            (id(3), Some(3)),
            (id(5), Some(4)),
        ];
        let numbers = settle(&cohort);
        let expected = [(1, 1), (2, 2), (3, 3), (4, 5), (5, 4)];
        for (person, n) in expected {
            assert_eq!(numbers[&id(person)], n, "person {person}");
        }
        // The same whatever order the records come in.
        let mut reversed = cohort;
        reversed.reverse();
        assert_eq!(settle(&reversed), numbers);
    }

    #[test]
    fn records_without_a_number_take_the_free_numbers_in_id_order() {
        // All from before numbers were stored: their place in id order, as migration 0014 gave.
        let old = [(id(30), None), (id(10), None), (id(20), None)];
        let numbers = settle(&old);
        assert_eq!(
            [numbers[&id(10)], numbers[&id(20)], numbers[&id(30)]],
            [1, 2, 3]
        );
        // Beside stored numbers, they take what nobody holds.
        let mixed = [
            (id(1), Some(1)),
            (id(2), Some(3)),
            (id(9), None),
            (id(8), None),
        ];
        let numbers = settle(&mixed);
        assert_eq!(
            [
                numbers[&id(1)],
                numbers[&id(2)],
                numbers[&id(8)],
                numbers[&id(9)]
            ],
            [1, 3, 2, 4]
        );
    }

    fn person(name: &str) -> NewParticipant {
        serde_json::from_value(serde_json::json!({
            "name": name, "organisation": "Sunderland City Council", "sector": "public"
        }))
        .unwrap()
    }

    /// A store with the demo content, and Sunderland's version (whose cohort is empty).
    async fn laptop(dir: &std::path::Path) -> (Store, Uuid) {
        let store = Store::open(dir).await.unwrap();
        crate::demo::seed_demo(&store).await.unwrap();
        let version = store.version_at("Sunderland").await.unwrap().unwrap();
        (store, version.meta.id)
    }

    async fn stored(store: &Store, id: Uuid) -> Option<i64> {
        store
            .get_with_deleted::<Participant>(id)
            .await
            .unwrap()
            .unwrap()
            .pseudonym_number
    }

    async fn add(store: &Store, version: Option<Uuid>, name: &str) -> Uuid {
        // UUIDv7 ids follow the clock's milliseconds: people added one after another get
        // ids in that order.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        store
            .add_participant(version, person(name))
            .await
            .unwrap()
            .meta
            .id
    }

    /// A bundle of everything `store` holds.
    async fn everything_of(store: &Store) -> Vec<u8> {
        store
            .export_bundle(BundleScope::Everything, None)
            .await
            .unwrap()
    }

    /// Three people in `version`'s cohort, held as a database made before migration 0016 holds
    /// them: no number stored.
    async fn saved_before_numbers(store: &Store, version: Uuid) -> Vec<Uuid> {
        let mut people = Vec::new();
        for name in ["Amina Yusuf", "Bryn Wyn", "Cai Jones"] {
            people.push(add(store, Some(version), name).await);
        }
        sqlx::query("UPDATE participant SET pseudonym_number = NULL")
            .execute(store.pool_ref())
            .await
            .unwrap();
        people
    }

    #[tokio::test]
    async fn everyone_added_is_given_the_next_number_of_their_cohort_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let (store, version) = laptop(dir.path()).await;
        let amina = add(&store, Some(version), "Amina Yusuf").await;
        let bryn = add(&store, Some(version), "Bryn Ŵyn").await;
        // A walk-in on the day, and a participant list.
        let session = store.sessions_of(version).await.unwrap()[0].meta.id;
        let walk_in = store
            .add_walk_in(session, person("Cai Jones"))
            .await
            .unwrap()
            .meta
            .id;
        let list = crate::participant_list::read_csv(b"Name\nDelyth Rees\n", "list.csv").unwrap();
        store
            .import_participants(version, &list, None)
            .await
            .unwrap();
        let delyth = store
            .cohort(version)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.name == "Delyth Rees")
            .unwrap()
            .meta
            .id;
        // People in no version are a cohort of their own, numbered from 1.
        let alone = add(&store, None, "Eira Hughes").await;
        for (who, n) in [(amina, 1), (bryn, 2), (walk_in, 3), (delyth, 4), (alone, 1)] {
            assert_eq!(stored(&store, who).await, Some(n), "stored on the record");
            assert_eq!(store.pseudonyms().await.unwrap().number(who), Some(n));
        }
        // Editing someone keeps their number.
        let patch = serde_json::json!({ "name": "Bryn Wyn" });
        store
            .update("participant", bryn, patch.as_object().unwrap().clone())
            .await
            .unwrap();
        assert_eq!(stored(&store, bryn).await, Some(2));
        store.close().await;
    }

    #[tokio::test]
    async fn people_saved_before_numbers_were_stored_keep_the_numbers_their_files_gave() {
        let dir = tempfile::tempdir().unwrap();
        let (store, version) = laptop(dir.path()).await;
        let people = saved_before_numbers(&store, version).await;
        let numbers = store.pseudonyms().await.unwrap();
        let before: Vec<Option<i64>> = people.iter().map(|p| numbers.number(*p)).collect();
        assert_eq!(before, [Some(1), Some(2), Some(3)], "place in id order");
        // Saved again, the number they have is stored; someone new comes after them all.
        let patch = serde_json::json!({ "role": "Team leader" });
        store
            .update("participant", people[1], patch.as_object().unwrap().clone())
            .await
            .unwrap();
        assert_eq!(stored(&store, people[1]).await, Some(2));
        assert_eq!(
            stored(&store, people[0]).await,
            None,
            "others are not rewritten"
        );
        let dee = add(&store, Some(version), "Dee Evans").await;
        assert_eq!(stored(&store, dee).await, Some(4));
        let numbers = store.pseudonyms().await.unwrap();
        let after: Vec<Option<i64>> = people.iter().map(|p| numbers.number(*p)).collect();
        assert_eq!(after, before);
        store.close().await;
    }

    #[tokio::test]
    async fn erased_and_anonymised_people_keep_their_numbers_and_nobody_takes_them() {
        let dir = tempfile::tempdir().unwrap();
        let (store, version) = laptop(dir.path()).await;
        let mut people = Vec::new();
        for name in ["Amina Yusuf", "Bryn Wyn", "Cai Jones", "Dee Evans"] {
            people.push(add(&store, Some(version), name).await);
        }
        store.erase_participant(people[1]).await.unwrap();
        store.anonymise_participant(people[2]).await.unwrap();
        let numbers = store.pseudonyms().await.unwrap();
        for (n, p) in people.iter().enumerate() {
            assert_eq!(numbers.number(*p), Some(n as i64 + 1));
            assert_eq!(stored(&store, *p).await, Some(n as i64 + 1));
        }
        let eira = add(&store, Some(version), "Eira Hughes").await;
        assert_eq!(stored(&store, eira).await, Some(5));
        store.close().await;
    }

    /// Every number of everyone in `store`, by id.
    async fn all_numbers(store: &Store, ids: &[Uuid]) -> Vec<Option<i64>> {
        let numbers = store.pseudonyms().await.unwrap();
        ids.iter().map(|id| numbers.number(*id)).collect()
    }

    #[tokio::test]
    async fn two_laptops_that_gave_one_number_twice_agree_after_syncing_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let (a, version) = laptop(&dir.path().join("a")).await;
        let (b, _) = laptop(&dir.path().join("b")).await;
        // A cohort both laptops hold.
        let mut cohort = Vec::new();
        for name in ["Amina Yusuf", "Bryn Wyn"] {
            cohort.push(add(&a, Some(version), name).await);
        }
        b.import_bundles(&[everything_of(&a).await], None, false)
            .await
            .unwrap();
        // Offline, each adds a walk-in: both are number 3 where they were added. B adds
        // another after that, number 4 there.
        let cai = add(&a, Some(version), "Cai Jones").await;
        let dee = add(&b, Some(version), "Dee Evans").await;
        let eira = add(&b, Some(version), "Eira Hughes").await;
        assert!(cai < dee, "Cai was added first");
        assert_eq!(a.pseudonyms().await.unwrap().number(cai), Some(3));
        assert_eq!(
            all_numbers(&b, &[dee, eira]).await,
            [Some(3), Some(4)],
            "on B before syncing"
        );
        // Sync both ways, in either order.
        let from_a = everything_of(&a).await;
        let from_b = everything_of(&b).await;
        b.import_bundles(std::slice::from_ref(&from_a), None, false)
            .await
            .unwrap();
        a.import_bundles(std::slice::from_ref(&from_b), None, false)
            .await
            .unwrap();
        // Cai (the earlier id) keeps 3; only Dee, who clashed, moves, to the next number
        // nobody holds. Eira keeps 4 (by the order of ids alone she would have become 5).
        let everyone = [cohort[0], cohort[1], cai, dee, eira];
        let expected = [Some(1), Some(2), Some(3), Some(5), Some(4)];
        assert_eq!(all_numbers(&a, &everyone).await, expected, "on A");
        assert_eq!(all_numbers(&b, &everyone).await, expected, "on B");
        // Nobody's record was rewritten and no conflict was made: Dee's stored number is still
        // the one B gave; the clash is settled the same way wherever it is read.
        assert_eq!(stored(&a, dee).await, Some(3));
        assert_eq!(stored(&b, dee).await, Some(3));
        for store in [&a, &b] {
            let conflicts: i64 = sqlx::query_scalar("SELECT count(*) FROM conflict")
                .fetch_one(store.pool_ref())
                .await
                .unwrap();
            assert_eq!(conflicts, 0);
        }
        // The next person on either laptop comes after everyone.
        let fflur = add(&a, Some(version), "Fflur Morgan").await;
        assert_eq!(stored(&a, fflur).await, Some(6));
        // Merging again changes nothing.
        a.import_bundles(&[from_b], None, false).await.unwrap();
        b.import_bundles(&[from_a], None, false).await.unwrap();
        assert_eq!(all_numbers(&a, &everyone).await, expected);
        a.close().await;
        b.close().await;
    }

    #[tokio::test]
    async fn a_bundle_from_before_numbers_were_stored_imports_and_numbers_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let (old, version) = laptop(&dir.path().join("old")).await;
        let people = saved_before_numbers(&old, version).await;
        // What an older Fieldbook writes: no number in its change log either.
        sqlx::query(
            "UPDATE change_log SET payload = json_remove(payload, '$.pseudonym_number') WHERE kind = 'participant'",
        )
        .execute(old.pool_ref())
        .await
        .unwrap();
        let bundle = everything_of(&old).await;
        let (new, _) = laptop(&dir.path().join("new")).await;
        let preview = new.import_bundles(&[bundle], None, false).await.unwrap();
        assert!(preview.adds >= 3, "{preview:?}");
        assert_eq!(
            all_numbers(&new, &people).await,
            [Some(1), Some(2), Some(3)]
        );
        for p in &people {
            assert_eq!(stored(&new, *p).await, None);
        }
        let dee = add(&new, Some(version), "Dee Evans").await;
        assert_eq!(stored(&new, dee).await, Some(4));
        old.close().await;
        new.close().await;
    }
}
