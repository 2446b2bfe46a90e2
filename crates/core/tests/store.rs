//! The store on real SQLite files in temporary folders.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use fieldbook_core::clock::{ManualClock, Stamp};
use fieldbook_core::demo::{seed_demo, Seeded};
use fieldbook_core::domain::*;
use fieldbook_core::snapshot::VersionSnapshot;
use fieldbook_core::views::ExerciseFilter;

fn text(t: &str) -> ExerciseFilter {
    ExerciseFilter {
        text: Some(t.into()),
        ..Default::default()
    }
}
use fieldbook_core::{Error, Store};
use uuid::Uuid;

use crate::common;

fn programme(title: &str) -> Programme {
    Programme {
        meta: Meta::new(),
        title: title.into(),
        summary: "A summary".into(),
        purpose: "A purpose".into(),
        outcomes: vec!["First outcome".into(), "Second outcome".into()],
        themes: vec!["systems change".into()],
        retention_months: None,
    }
}

fn clock() -> ManualClock {
    ManualClock::at(Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap())
}

async fn open(dir: &std::path::Path, clock: &ManualClock) -> Store {
    Store::open_with_clock(dir, Arc::new(clock.clone()))
        .await
        .unwrap()
}

/// A store on a new folder, telling the time by its own clock, with the programme `title`
/// saved in it.
async fn with_programme(title: &str) -> (tempfile::TempDir, ManualClock, Store, Programme) {
    let tmp = tempfile::tempdir().unwrap();
    let clock = clock();
    let store = open(tmp.path(), &clock).await;
    let mut p = programme(title);
    store.save(&mut p).await.unwrap();
    (tmp, clock, store, p)
}

/// A new record's meta with the id its kind derives from the records it joins.
fn meta_with_id(id: Uuid) -> Meta {
    Meta { id, ..Meta::new() }
}

async fn pragma(store: &Store, name: &str) -> String {
    // Read through a fresh connection of the store's pool by asking the file directly.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", store.path().display()))
        .await
        .unwrap();
    let value: String =
        sqlx::query_scalar(&format!("SELECT CAST({name} AS TEXT) FROM pragma_{name}"))
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    value
}

#[tokio::test]
async fn opening_a_missing_folder_creates_it_with_a_wal_database() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("not").join("there").join("yet");
    let store = open(&dir, &clock()).await;
    assert!(store.was_created());
    assert!(dir.join("fieldbook.db").is_file());
    assert_eq!(pragma(&store, "journal_mode").await, "wal");
    store.close().await;

    let again = open(&dir, &clock()).await;
    assert!(!again.was_created());
}

#[tokio::test]
async fn a_saved_record_reads_back_the_same_with_its_stamp_and_device() {
    let (_tmp, _clock, store, p) = with_programme("Leading Change Together").await;

    let stamp = p.meta.stamp.expect("saving stamps the record");
    assert_eq!(stamp.device, store.device_id());
    assert_eq!(p.meta.origin, Some(store.device_id()));
    let read: Programme = store.get(p.meta.id).await.unwrap();
    assert_eq!(read, p);
}

#[tokio::test]
async fn every_kind_round_trips_through_its_table() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path(), &clock()).await;
    let mut p = programme("Commissioning with Communities");
    let mut v = ProgrammeVersion {
        meta: Meta::new(),
        programme_id: p.meta.id,
        kind: VersionKind::Local,
        name: "Surrey".into(),
        place: "Surrey".into(),
        partners: vec!["Surrey County Council".into()],
        lead_facilitators: vec!["Amira Shah".into()],
        cohort_start: Some("2027-01-20".parse().unwrap()),
        cohort_end: Some("2027-05-12".parse().unwrap()),
        based_on: None,
        base_snapshot: Some(serde_json::json!({"any": ["json", 1, true, null]})),
    };
    let mut s = Session {
        meta: Meta::new(),
        version_id: Some(v.meta.id),
        position: 1.5,
        title: "Day one".into(),
        date: Some("2027-01-20".parse().unwrap()),
        start_time: "09:30".into(),
        end_time: None,
        venue: "Civic Centre, \"Room 2\"".into(),
        objectives: "Meet; agree ground rules".into(),
        derived_from: None,
    };
    let mut e = Exercise {
        meta: Meta::new(),
        title: "1-2-4-All".into(),
        purpose: "Everyone speaks".into(),
        steps: vec!["Alone".into(), "Pairs".into()],
        for_participants: "You think alone, then in pairs.".into(),
        min_minutes: 12,
        max_minutes: 20,
        min_group: 4,
        max_group: 200,
        materials: vec![],
        prompts: vec!["What did you notice?".into()],
        tags: vec!["listening".into()],
        source: "Liberating Structures".into(),
        archived: true,
    };
    let mut i = AgendaItem {
        meta: Meta::new(),
        session_id: s.meta.id,
        position: 0.0,
        title: "Lunch".into(),
        minutes: 45,
        kind: ItemKind::Break,
        notes: String::new(),
        materials: String::new(),
        prompt: String::new(),
        pinned_time: Some("12:30".into()),
        exercise_id: Some(e.meta.id),
        exercise_stamp: None,
        derived_from: None,
    };
    let mut person = Participant {
        meta: Meta::new(),
        version_id: Some(v.meta.id),
        name: "Jo Bloggs".into(),
        organisation: "Age UK Surrey".into(),
        sector: Sector::Voluntary,
        role: "Manager".into(),
        consent_named: true,
        consent_named_at: Some(Utc::now()),
        consent_quoted: false,
        consent_quoted_at: None,
        consent_contact: false,
        consent_contact_at: None,
        email: None,
        anonymised: false,
        pseudonym_number: None,
    };
    let mut r = Reflection {
        meta: Meta::new(),
        session_id: s.meta.id,
        agenda_item_id: Some(i.meta.id),
        participant_id: None,
        prompt: "What will you do differently?".into(),
        text: "Listen first — then 🗣️ <b>speak</b>".into(),
        captured_at: Utc::now(),
        sent_from: None,
    };
    let mut n = FacilitatorNote {
        meta: Meta::new(),
        session_id: s.meta.id,
        text: "Energy dipped after lunch".into(),
        observed_at: Some(Utc::now()),
    };

    let mut run = RunEvent {
        meta: Meta::new(),
        session_id: s.meta.id,
        action: RunAction::Extend,
        minutes: 5,
        at: Utc::now(),
    };
    let mut present = Attendance {
        meta: meta_with_id(Attendance::id_for(s.meta.id, person.meta.id)),
        session_id: s.meta.id,
        participant_id: person.meta.id,
        status: Presence::Late,
        walk_in: true,
    };
    let mut action = Action {
        meta: Meta::new(),
        session_id: s.meta.id,
        participant_id: Some(person.meta.id),
        text: "Invite the housing team to our next meeting".into(),
        status: ActionStatus::Open,
        follow_up: String::new(),
    };
    let mut theme = Theme {
        meta: Meta::new(),
        name: "Listening <first>".into(),
        description: "When people feel heard".into(),
        merged_into: None,
    };
    let mut tag = ThemeTag {
        meta: meta_with_id(ThemeTag::id_for(r.meta.id, theme.meta.id)),
        reflection_id: r.meta.id,
        theme_id: theme.meta.id,
        quote: true,
    };

    let mut w = store.writer().await.unwrap();
    macro_rules! save_each {
        ($($record:ident),*) => {
            $(w.save(&mut $record).await.unwrap();)*
        };
    }
    // References may be written before what they refer to: keys are checked at commit.
    save_each!(tag, theme, action, present, run, r, i, n, person, s, e, v, p);
    w.commit().await.unwrap();

    // Each record reads back equal to what was saved.
    macro_rules! reads_back {
        ($($record:ident: $kind:ty),* $(,)?) => {
            $(assert_eq!(store.get::<$kind>($record.meta.id).await.unwrap(), $record);)*
        };
    }
    reads_back!(
        p: Programme,
        v: ProgrammeVersion,
        s: Session,
        e: Exercise,
        i: AgendaItem,
        person: Participant,
        r: Reflection,
        n: FacilitatorNote,
        run: RunEvent,
        present: Attendance,
        action: Action,
        theme: Theme,
        tag: ThemeTag,
    );
    let counts = store.counts().await.unwrap();
    assert!(KINDS.iter().all(|k| counts[k] == 1), "{counts:?}");
}

#[tokio::test]
async fn a_reference_to_nothing_is_refused_at_commit_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path(), &clock()).await;
    let mut s = Session {
        meta: Meta::new(),
        version_id: Some(Uuid::now_v7()),
        position: 0.0,
        title: "Orphan".into(),
        date: None,
        start_time: "10:00".into(),
        end_time: None,
        venue: String::new(),
        objectives: String::new(),
        derived_from: None,
    };
    let mut w = store.writer().await.unwrap();
    w.save(&mut s).await.unwrap();
    assert!(w.commit().await.is_err());
    assert_eq!(store.counts().await.unwrap()["session"], 0);
}

#[tokio::test]
async fn stamps_keep_rising_when_the_laptop_clock_goes_backwards() {
    let (tmp, clock, store, mut p) = with_programme("First").await;
    let first = p.meta.stamp.unwrap();

    clock.advance_ms(-3600 * 1000);
    p.title = "Renamed".into();
    store.save(&mut p).await.unwrap();
    let second = p.meta.stamp.unwrap();
    assert!(second > first, "{second} should follow {first}");

    // And across a reopen, since the clock is kept in the database.
    store.close().await;
    let store = open(tmp.path(), &clock).await;
    let mut q = programme("Second");
    store.save(&mut q).await.unwrap();
    assert!(q.meta.stamp.unwrap() > second);
}

#[tokio::test]
async fn a_clock_put_back_days_stamps_new_records_from_the_wall_clock_and_edits_after_their_parent()
{
    let (_tmp, clock, store, mut p) =
        with_programme("Written while the clock was 3 days ahead").await;
    let ahead = p.meta.stamp.unwrap();

    clock.advance_ms(-3 * 24 * 3600 * 1000);
    let mut q = programme("Written after the clock was put right");
    store.save(&mut q).await.unwrap();
    assert_eq!(
        q.meta.stamp.unwrap().ms,
        fieldbook_core::clock::Clock::now_ms(&clock)
    );
    p.title = "Renamed".into();
    store.save(&mut p).await.unwrap();
    assert!(
        p.meta.stamp.unwrap() > ahead,
        "an edit always follows what it edits"
    );
}

#[tokio::test]
async fn each_write_is_logged_with_the_stamp_it_replaced() {
    let (_tmp, _clock, store, mut p) = with_programme("Logged").await;
    let first = p.meta.stamp.unwrap();
    p.purpose = "Changed".into();
    store.save(&mut p).await.unwrap();
    store.delete::<Programme>(p.meta.id).await.unwrap();

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", store.path().display()))
        .await
        .unwrap();
    let log: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT kind, stamp, parent_stamp, op FROM change_log WHERE record_id = ?1 ORDER BY seq",
    )
    .bind(p.meta.id.to_string())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|(kind, ..)| kind == "programme"));
    assert_eq!(log[0].2, None);
    assert_eq!(log[1].2.as_deref(), Some(first.to_string().as_str()));
    assert_eq!(
        log[1].2.as_deref().map(|s| s.parse::<Stamp>().unwrap()),
        Some(first)
    );
    assert_eq!(
        (log[0].3.as_str(), log[1].3.as_str(), log[2].3.as_str()),
        ("put", "put", "delete")
    );
}

#[tokio::test]
async fn a_deleted_record_stays_as_a_tombstone_and_is_no_longer_found() {
    let (_tmp, _clock, store, p) = with_programme("Gone soon").await;
    store.delete::<Programme>(p.meta.id).await.unwrap();

    let err = store.get::<Programme>(p.meta.id).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert_eq!(store.counts().await.unwrap()["programme"], 0);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", store.path().display()))
        .await
        .unwrap();
    let tombstones: i64 = sqlx::query_scalar("SELECT count(*) FROM programme WHERE deleted = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tombstones, 1);
}

#[tokio::test]
async fn a_record_that_fails_its_checks_is_not_saved() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path(), &clock()).await;
    let mut p = programme("   ");
    let err = store.save(&mut p).await.unwrap_err();
    assert_eq!(err.to_string(), "A programme needs a title.");
    assert_eq!(store.counts().await.unwrap()["programme"], 0);
}

#[tokio::test]
async fn a_database_from_a_newer_fieldbook_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path(), &clock()).await;
    let path = store.path().to_path_buf();
    store.close().await;
    common::execute_on_file(
        &path,
        &[
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (9999, 'from the future', 1, x'00', 0)",
        ],
    )
    .await;
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(tmp.path()).await.unwrap_err();
    assert!(
        matches!(err, Error::NewerDatabase { found: 9999, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("Update Fieldbook"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("fieldbook.db");
    let garbage = b"These are my notes, not a database. ".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(tmp.path()).await.unwrap_err();
    assert!(matches!(err, Error::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("backup"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[tokio::test]
async fn a_data_folder_that_cannot_be_made_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let err = Store::open(&file.join("data")).await.unwrap_err();
    assert_eq!(err.code(), "data_dir");
    assert!(err.to_string().contains("--data-dir"), "{err}");

    let err = Store::open(&file).await.unwrap_err();
    assert_eq!(err.code(), "data_dir");
}

#[tokio::test]
async fn the_demo_content_is_added_once_with_linked_local_version() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path(), &clock()).await;
    assert_eq!(seed_demo(&store).await.unwrap(), Seeded::Now);
    let counts = store.counts().await.unwrap();
    assert_eq!(counts["programme"], 2);
    assert!((15..=16).contains(&counts["exercise"]), "{counts:?}");
    assert_eq!(seed_demo(&store).await.unwrap(), Seeded::Already);
    assert_eq!(store.counts().await.unwrap(), counts);

    let overviews = store.programme_overviews().await.unwrap();
    let titles: Vec<&str> = overviews
        .iter()
        .map(|o| o.programme.title.as_str())
        .collect();
    assert_eq!(
        titles,
        ["Commissioning with Communities", "Leading Change Together"]
    );
    for overview in &overviews {
        let national = &overview.versions[0];
        assert_eq!(national.version.kind, VersionKind::National);
        assert!(
            national.sessions >= 3,
            "{} has {} sessions",
            overview.programme.title,
            national.sessions
        );
    }

    let lct = &overviews[1];
    let local = lct
        .versions
        .iter()
        .find(|v| v.version.kind == VersionKind::Local)
        .unwrap();
    assert_eq!(local.version.place, "Sunderland");
    assert_eq!(
        local.version.based_on,
        Some(lct.versions[0].version.meta.id)
    );
    let snapshot: VersionSnapshot =
        serde_json::from_value(local.version.base_snapshot.clone().unwrap()).unwrap();
    assert_eq!(snapshot.version.meta.id, lct.versions[0].version.meta.id);
    assert_eq!(snapshot.sessions.len(), lct.versions[0].sessions);

    // Every local session was adapted from a national one, and each of its agenda items from
    // the national item or added locally.
    let detail = store.version_detail(local.version.meta.id).await.unwrap();
    for s in &detail.sessions {
        let from = s
            .session
            .derived_from
            .expect("adapted from a national session");
        let national: Session = store.get(from).await.unwrap();
        assert_eq!(national.version_id, Some(lct.versions[0].version.meta.id));
        assert!(s.session.date.is_some());
    }

    // Every agenda computes, and items linked to the library point at real exercises.
    for overview in &overviews {
        for v in &overview.versions {
            for s in store
                .version_detail(v.version.meta.id)
                .await
                .unwrap()
                .sessions
            {
                let detail = store.session_detail(s.session.meta.id).await.unwrap();
                assert!(!detail.timetable.items.is_empty());
                for t in &detail.timetable.items {
                    if let Some(e) = t.item.exercise_id {
                        let exercise: Exercise = store.get(e).await.unwrap();
                        assert_eq!(t.item.exercise_stamp, exercise.meta.stamp);
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn the_library_search_looks_in_titles_tags_and_steps_ignoring_case() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path(), &clock()).await;
    seed_demo(&store).await.unwrap();
    let all = store.exercises(&ExerciseFilter::default()).await.unwrap();
    assert_eq!(all.len() as i64, store.counts().await.unwrap()["exercise"]);
    let tag = all[0].tags[0].to_uppercase();
    let found = store.exercises(&text(&tag)).await.unwrap();
    assert!(found.iter().any(|e| e.meta.id == all[0].meta.id));
    assert!(found.len() < all.len());
    assert!(store
        .exercises(&text("zzzz no such thing"))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.exercises(&text("   ")).await.unwrap().len(),
        all.len()
    );
}

#[tokio::test]
async fn a_database_from_an_older_fieldbook_is_backed_up_before_it_is_updated() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("fieldbook.db");
    {
        // A database as the first release left it: only the first three migrations.
        let mut older = sqlx::migrate!("./migrations");
        older.migrations = std::borrow::Cow::Owned(older.migrations[..3].to_vec());
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        older.run(&pool).await.unwrap();
        pool.close().await;
    }
    let store = Store::open(tmp.path()).await.unwrap();
    let backups: Vec<String> = std::fs::read_dir(tmp.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(backups.len(), 1);
    assert!(backups[0].starts_with("before-migration-"), "{backups:?}");
    let mut p = programme("After the update");
    store.save(&mut p).await.unwrap();
    store.close().await;
    // Opening again, with nothing to update, makes no new backup.
    Store::open(tmp.path()).await.unwrap();
    assert_eq!(
        std::fs::read_dir(tmp.path().join("backups"))
            .unwrap()
            .count(),
        1
    );
}

#[tokio::test]
async fn a_staged_restore_replaces_the_database_at_the_next_open_and_a_daily_backup_is_made_once() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).await.unwrap();
    let mut p = programme("In the backup");
    store.save(&mut p).await.unwrap();
    assert!(store.backup_daily().await.unwrap().is_some());
    assert!(store.backup_daily().await.unwrap().is_none(), "one a day");
    let backup = tmp.path().join("keep.db");
    store.backup_to(&backup).await.unwrap();
    let mut q = programme("After the backup");
    store.save(&mut q).await.unwrap();
    // A damaged file is not staged.
    let damaged = tmp.path().join("damaged.db");
    std::fs::write(&damaged, b"SQLite format 3\0 and then nothing").unwrap();
    assert!(fieldbook_core::backup::stage_restore(tmp.path(), &damaged)
        .await
        .is_err());
    fieldbook_core::backup::stage_restore(tmp.path(), &backup)
        .await
        .unwrap();
    store.close().await;

    assert!(fieldbook_core::backup::apply_staged_restore(tmp.path())
        .await
        .unwrap());
    assert!(
        !fieldbook_core::backup::apply_staged_restore(tmp.path())
            .await
            .unwrap(),
        "applied once"
    );
    let store = Store::open(tmp.path()).await.unwrap();
    assert!(store.get::<Programme>(p.meta.id).await.is_ok());
    assert!(store.get::<Programme>(q.meta.id).await.is_err());
    assert!(store
        .backups()
        .await
        .unwrap()
        .iter()
        .any(|b| b.name.starts_with("before-restore-")));
}
