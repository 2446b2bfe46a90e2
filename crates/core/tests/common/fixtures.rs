//! Fixtures and checks shared by the core's integration tests: stores on temporary folders,
//! the demo and its versions, drafts, searches, syncs and the bytes of database files.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use fieldbook_core::clock::ManualClock;
use fieldbook_core::day::{NewParticipant, ReflectionDraft};
use fieldbook_core::demo::seed_demo;
use fieldbook_core::design::NewLocalVersion;
use fieldbook_core::domain::*;
use fieldbook_core::search::{SearchQuery, SearchResult};
use fieldbook_core::sync::{BundleScope, Preview};
use fieldbook_core::views::ProgrammeOverview;
use fieldbook_core::Store;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The demo's national programme, with its Sunderland version.
pub const LCT: &str = "Leading Change Together";

/// A moment in UTC, for the clocks the tests set.
pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// A store on a fresh temporary folder that tells the time by `clock`. Keep the folder for as
/// long as the store is used.
pub async fn store_on(clock: &ManualClock) -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open_with_clock(tmp.path(), Arc::new(clock.clone()))
        .await
        .unwrap();
    (tmp, store)
}

/// A store on a fresh temporary folder whose clock stands at `at` and moves only when the test
/// moves it.
pub async fn store_at(at: DateTime<Utc>) -> (tempfile::TempDir, ManualClock, Store) {
    let clock = ManualClock::at(at);
    let (tmp, store) = store_on(&clock).await;
    (tmp, clock, store)
}

/// [`store_at`] with the demo seeded.
pub async fn demo_at(at: DateTime<Utc>) -> (tempfile::TempDir, ManualClock, Store) {
    let (tmp, clock, store) = store_at(at).await;
    seed_demo(&store).await.unwrap();
    (tmp, clock, store)
}

/// A store on a fresh temporary folder, on the system clock, with the demo seeded. Keep the
/// folder for as long as the store is used.
pub async fn demo() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).await.unwrap();
    seed_demo(&store).await.unwrap();
    (tmp, store)
}

/// The first session, by position, of any programme version.
pub async fn first_version_session(store: &Store) -> Session {
    store
        .list::<Session>("version_id IS NOT NULL ORDER BY position LIMIT 1", &[])
        .await
        .unwrap()
        .remove(0)
}

/// Someone who joins with only their name: public sector, no organisation or role, and no
/// consent given to anything.
pub fn newcomer(name: &str) -> NewParticipant {
    NewParticipant {
        name: name.into(),
        organisation: String::new(),
        sector: Sector::Public,
        role: String::new(),
        consent_named: false,
        consent_quoted: false,
        consent_contact: false,
    }
}

/// The overview of the programme titled `title`.
pub async fn programme_titled(store: &Store, title: &str) -> ProgrammeOverview {
    store
        .programme_overviews()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.programme.title == title)
        .unwrap_or_else(|| panic!("no programme titled {title:?}"))
}

/// The version for `place` (the demo has Sunderland), of whichever programme.
pub async fn version_at(store: &Store, place: &str) -> ProgrammeVersion {
    store
        .version_at(place)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no version for {place:?}"))
}

/// The id of the demo's Sunderland version.
pub async fn sunderland(store: &Store) -> Uuid {
    version_at(store, "Sunderland").await.meta.id
}

/// The id of the national version among `overview`'s versions.
pub fn national_of(overview: &ProgrammeOverview) -> Uuid {
    overview
        .versions
        .iter()
        .find(|v| v.version.kind == VersionKind::National)
        .expect("a programme has a national version")
        .version
        .meta
        .id
}

/// The id of the first session of `version`.
pub async fn first_session(store: &Store, version: Uuid) -> Uuid {
    store.sessions_of(version).await.unwrap()[0].meta.id
}

/// A local version of `national` for `place`, named "Leading Change Together: {place}".
pub async fn local_version(store: &Store, national: Uuid, place: &str) -> Uuid {
    store
        .create_local_version(
            national,
            NewLocalVersion {
                name: format!("{LCT}: {place}"),
                place: place.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .meta
        .id
}

/// A new reflection on `session` by `who` (anonymous if none), with no prompt, not on an
/// agenda item.
pub fn said(session: Uuid, who: Option<Uuid>, text: &str) -> ReflectionDraft {
    ReflectionDraft {
        id: None,
        session_id: session,
        agenda_item_id: None,
        participant_id: who,
        prompt: String::new(),
        text: text.into(),
    }
}

/// A programme with nothing but its title, not yet saved.
pub fn programme(title: &str) -> Programme {
    Programme {
        meta: Meta::new(),
        title: title.into(),
        summary: String::new(),
        purpose: String::new(),
        outcomes: vec![],
        themes: vec![],
        retention_months: None,
    }
}

/// What a search finds; the search must not fail.
pub async fn search(store: &Store, query: SearchQuery) -> SearchResult {
    store.search(&query).await.unwrap()
}

/// `to` merges everything `from` holds, through an unencrypted sync bundle.
pub async fn send(from: &Store, to: &Store) -> Preview {
    let bundle = from
        .export_bundle(BundleScope::Everything, None)
        .await
        .unwrap();
    to.import_bundles(&[bundle], None, false).await.unwrap()
}

/// Fails the test if any of `secrets` is among `bytes` (those of `file`, as the message says).
pub fn assert_none_in<S: AsRef<str>>(bytes: &[u8], secrets: &[S], file: &str) {
    for secret in secrets {
        let secret = secret.as_ref();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} is still in {file}"
        );
    }
}

/// Fails the test unless each of `wanted` is in `text` (`what`, as the message says).
pub fn assert_all_in(text: &str, wanted: &[&str], what: &str) {
    for w in wanted {
        assert!(text.contains(w), "{w:?} is not in {what}: {text}");
    }
}

/// A JSON object as the fields of an update.
pub fn patch(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// Runs `statements` on the database file at `db` through a connection of its own, then folds
/// the write-ahead log into the file.
pub async fn execute_on_file(db: &Path, statements: &[&str]) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    for sql in statements
        .iter()
        .chain(&["PRAGMA wal_checkpoint(TRUNCATE)"])
    {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

/// The bytes of the database file at `db`, with the write-ahead log folded in first.
pub async fn checkpointed_bytes(db: &Path) -> Vec<u8> {
    execute_on_file(db, &[]).await;
    std::fs::read(db).unwrap()
}
