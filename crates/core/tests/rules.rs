//! The rules on what a facilitator types live in the core, so the window, the CLI and anything
//! else calling the core accept and refuse the same things, with the same words, and a refusal
//! writes nothing.

use fieldbook_core::day::NewParticipant;
use fieldbook_core::domain::{ItemKind, Participant, Session};
use fieldbook_core::views::ExerciseFilter;
use fieldbook_core::{Error, Store};
use serde_json::json;

use crate::common;

async fn demo() -> (tempfile::TempDir, Store, Session) {
    let (dir, store) = common::demo().await;
    let session = common::first_version_session(&store).await;
    (dir, store, session)
}

fn refused<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    let error = result.expect_err("refused");
    assert_eq!(error.code(), "invalid", "{error}");
    error.to_string()
}

/// Why changing the fields `fields` of the `kind` record `id` is refused.
async fn refused_edit(
    store: &Store,
    kind: &str,
    id: uuid::Uuid,
    fields: serde_json::Value,
) -> String {
    refused(store.update(kind, id, common::patch(fields)).await)
}

fn person(name: &str, organisation: &str) -> NewParticipant {
    NewParticipant {
        organisation: organisation.into(),
        ..common::newcomer(name)
    }
}

#[tokio::test]
async fn a_title_must_be_given_and_at_most_300_characters_for_everything_new() {
    let (_dir, store, session) = demo().await;
    let before = store.counts().await.unwrap();
    let long = "x".repeat(301);
    for blank in ["", "   "] {
        assert_eq!(
            refused(store.create_programme(blank).await),
            "Give the programme a title. Nothing has been changed."
        );
        assert_eq!(
            refused(store.create_session(session.version_id, blank).await),
            "Give the session a title. Nothing has been changed."
        );
        assert_eq!(
            refused(store.create_exercise(blank).await),
            "Give the exercise a title. Nothing has been changed."
        );
        assert_eq!(
            refused(
                store
                    .add_agenda_item(session.meta.id, None, blank, 10, ItemKind::Activity)
                    .await
            ),
            "Give the agenda item a title. Nothing has been changed."
        );
    }
    let too_long = "A title can be at most 300 characters long. Nothing has been changed.";
    assert_eq!(refused(store.create_programme(&long).await), too_long);
    assert_eq!(refused(store.create_exercise(&long).await), too_long);
    assert_eq!(
        refused(store.create_session(session.version_id, &long).await),
        too_long
    );
    assert_eq!(store.counts().await.unwrap(), before, "nothing was written");

    // Exactly 300, and spaces around a title, are fine (the spaces are dropped).
    let made = store
        .create_session(session.version_id, &format!("  {}  ", "y".repeat(300)))
        .await
        .unwrap();
    assert_eq!(made.title, "y".repeat(300));
}

#[tokio::test]
async fn an_edited_title_name_or_organisation_is_held_to_the_same_length() {
    let (_dir, store, session) = demo().await;
    let long = "x".repeat(301);
    assert_eq!(
        refused_edit(&store, "session", session.meta.id, json!({ "title": long })).await,
        "A title can be at most 300 characters long. Nothing has been changed."
    );
    let asha = store
        .add_participant(session.version_id, person("Asha Bell", ""))
        .await
        .unwrap();
    assert_eq!(
        refused_edit(
            &store,
            "participant",
            asha.meta.id,
            json!({ "organisation": long })
        )
        .await,
        "An organisation can be at most 300 characters long. Nothing has been changed."
    );
    // A participant's name cannot be emptied by an edit either.
    let emptied = refused_edit(&store, "participant", asha.meta.id, json!({ "name": " " })).await;
    assert_eq!(emptied, "A participant needs a name.");
    let kept: Participant = store.get(asha.meta.id).await.unwrap();
    assert_eq!(
        (kept.name.as_str(), kept.organisation.as_str()),
        ("Asha Bell", "")
    );
    let kept: Session = store.get(session.meta.id).await.unwrap();
    assert_eq!(kept.title, session.title);
}

#[tokio::test]
async fn a_participant_needs_a_name_whether_added_to_the_cohort_or_walking_in() {
    let (_dir, store, session) = demo().await;
    let before = store.counts().await.unwrap();
    let no_name = "Give the participant's name. Nothing has been changed.";
    assert_eq!(
        refused(
            store
                .add_participant(session.version_id, person(" ", "NHS"))
                .await
        ),
        no_name
    );
    assert_eq!(
        refused(store.add_walk_in(session.meta.id, person("", "NHS")).await),
        no_name
    );
    assert_eq!(
        refused(
            store
                .add_walk_in(session.meta.id, person("Tom Reyes", &"o".repeat(301)))
                .await
        ),
        "An organisation can be at most 300 characters long. Nothing has been changed."
    );
    assert_eq!(store.counts().await.unwrap(), before, "nothing was written");
    let tom = store
        .add_walk_in(session.meta.id, person("  Tom Reyes ", "NHS"))
        .await
        .unwrap();
    assert_eq!(tom.name, "Tom Reyes");
}

#[tokio::test]
async fn notes_observations_and_searches_have_one_limit_each() {
    let (_dir, store, session) = demo().await;
    let id = session.meta.id;
    let (longest, too_long) = ("o".repeat(2_000), "o".repeat(2_001));
    assert_eq!(
        refused(store.add_observation(id, &too_long).await),
        "Keep an observation under 2,000 characters. Nothing has been changed."
    );
    store.add_observation(id, &longest).await.unwrap();
    let note = "n".repeat(20_001);
    assert_eq!(
        refused(store.save_session_note(id, &note).await),
        "Notes can be at most 20,000 characters long; start another observation."
    );
    // The library and the reflections take searches of the same length (the window once
    // refused more than 200 characters in the library).
    let filter = |n: usize| ExerciseFilter {
        text: Some("a".repeat(n)),
        ..ExerciseFilter::default()
    };
    assert!(store.exercises(&filter(500)).await.unwrap().is_empty());
    assert_eq!(
        refused(store.exercises(&filter(501)).await),
        "Search for at most 500 characters."
    );
    let query = fieldbook_core::search::SearchQuery {
        text: "a".repeat(501),
        ..Default::default()
    };
    assert_eq!(
        refused(store.search(&query).await),
        "Search for at most 500 characters."
    );
}

#[tokio::test]
async fn only_reflections_notes_and_actions_keep_earlier_wordings() {
    let (_dir, store, session) = demo().await;
    assert_eq!(
        refused(store.earlier_versions("session", session.meta.id).await),
        "Only reflections, notes and actions keep earlier wordings."
    );
}

#[tokio::test]
async fn a_consent_changed_by_any_edit_is_dated_and_its_date_cannot_be_set_by_hand() {
    let (_dir, store, session) = demo().await;
    let someone = store
        .add_participant(session.version_id, person("Aled Pryce", "Surrey CC"))
        .await
        .unwrap();
    assert_eq!(someone.consent_named_at, None);
    // The general edit (the cohort table's fields) dates the choice as the consent switch does.
    let before = chrono::Utc::now() - chrono::Duration::milliseconds(1);
    let edited = store
        .update(
            "participant",
            someone.meta.id,
            json!({"consent_named": true}).as_object().unwrap().clone(),
        )
        .await
        .unwrap();
    let edited: Participant = serde_json::from_value(edited).unwrap();
    assert!(edited.consent_named);
    assert!(edited.consent_named_at.is_some_and(|at| at >= before));
    assert_eq!(
        edited.consent_quoted_at, None,
        "only the choice made is dated"
    );
    // Withdrawing is dated too, by the consent switch and the general edit alike.
    let withdrawn = store
        .set_consent(
            someone.meta.id,
            fieldbook_core::erasure::Consent::Named,
            false,
        )
        .await
        .unwrap();
    assert!(!withdrawn.consent_named);
    assert!(withdrawn.consent_named_at >= edited.consent_named_at);
    // The date is Fieldbook's to set, and so are links and stamps.
    for field in ["consent_named_at", "version_id", "id", "stamp"] {
        let patch = json!({ field: null }).as_object().unwrap().clone();
        assert!(
            refused(store.update("participant", someone.meta.id, patch).await)
                .contains("cannot be changed here"),
            "{field}"
        );
    }
    let now: Participant = store.get(someone.meta.id).await.unwrap();
    assert_eq!(now, withdrawn);
}

#[tokio::test]
async fn every_declared_field_is_a_column_of_its_table_and_every_column_is_declared() {
    let (_dir, store, _session) = demo().await;
    let url = format!("sqlite://{}?mode=ro", store.path().display());
    let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    for kind in fieldbook_core::domain::KINDS {
        let mut declared: Vec<&str> = fieldbook_core::domain::columns_of(kind)
            .unwrap()
            .iter()
            .map(|c| c.name)
            .collect();
        let mut stored: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
            .bind(kind)
            .fetch_all(&mut db)
            .await
            .unwrap();
        // The search index's own key (migration 0006), kept by the store, not a field.
        stored.retain(|c| !(kind == "reflection" && c == "search_key"));
        declared.sort_unstable();
        stored.sort_unstable();
        assert_eq!(stored, declared, "{kind}");
    }
}
