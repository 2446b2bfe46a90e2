//! The day of a session: run log through the store, attendance, reflections, actions and
//! notes, on real SQLite files with a clock the tests move.

use std::sync::Arc;

use chrono::Duration;
use fieldbook_core::clock::{Clock, ManualClock};
use fieldbook_core::day::{NewParticipant, ReflectionDraft};
use fieldbook_core::domain::*;
use fieldbook_core::run::{RunStatus, TimeLeft};
use fieldbook_core::Store;
use uuid::Uuid;

use crate::common;

struct Day {
    store: Store,
    clock: ManualClock,
    _tmp: tempfile::TempDir,
    /// Sunderland's sessions, in order.
    sessions: Vec<Session>,
    version: Uuid,
}

async fn day() -> Day {
    let (tmp, clock, store) = common::demo_at(common::utc(2027, 1, 27, 9, 30)).await;
    let version = common::sunderland(&store).await;
    let sessions = store.sessions_of(version).await.unwrap();
    Day {
        store,
        clock,
        _tmp: tmp,
        sessions,
        version,
    }
}

fn person(name: &str) -> NewParticipant {
    NewParticipant {
        organisation: "Sunderland City Council".into(),
        role: "Commissioner".into(),
        consent_named: true,
        ..common::newcomer(name)
    }
}

#[tokio::test]
async fn a_run_through_the_store_follows_the_clock_and_survives_a_reopen() {
    let d = day().await;
    let session = d.sessions[0].meta.id;
    let items = d.store.agenda_of(session).await.unwrap();
    d.store
        .run_press(session, RunAction::Start, 0)
        .await
        .unwrap();
    assert!(
        items[0].minutes >= 25,
        "five minutes must be under a fifth of it"
    );
    d.clock
        .advance_ms(i64::from(items[0].minutes) * 60_000 - 5 * 60_000);
    let state = d.store.run_state(session).await.unwrap();
    assert_eq!(state.remaining_seconds, 5 * 60);
    assert_eq!(state.time_left, TimeLeft::Low);

    d.store
        .run_press(session, RunAction::Extend, 5)
        .await
        .unwrap();
    d.clock.advance_ms(8 * 60_000);
    let state = d
        .store
        .run_press(session, RunAction::Next, 0)
        .await
        .unwrap();
    assert_eq!(state.current, Some(1));
    assert_eq!(state.items[0].over_seconds, Some(3 * 60));

    // Presses that make no sense are refused with a reason, and change nothing.
    let err = d
        .store
        .run_press(session, RunAction::Start, 0)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already been started"));
    assert!(d
        .store
        .run_press(session, RunAction::Extend, 500)
        .await
        .is_err());

    // The run is in the database: a reopened store picks it up where it was.
    let path = d.store.path().parent().unwrap().to_path_buf();
    let again = Store::open_with_clock(&path, Arc::new(d.clock.clone()))
        .await
        .unwrap();
    let state = again.run_state(session).await.unwrap();
    assert_eq!((state.status, state.current), (RunStatus::Running, Some(1)));
}

#[tokio::test]
async fn attendance_is_marked_changed_and_the_same_record_on_every_laptop() {
    let d = day().await;
    let session = d.sessions[0].meta.id;
    let amy = d
        .store
        .add_participant(Some(d.version), person("Amy Lee"))
        .await
        .unwrap();
    let ben = d
        .store
        .add_participant(Some(d.version), person("Ben Ade"))
        .await
        .unwrap();
    assert!(amy.consent_named_at.is_some() && amy.consent_quoted_at.is_none());

    let sheet = d.store.attendance_sheet(session).await.unwrap();
    let names: Vec<&str> = sheet.iter().map(|l| l.participant.name.as_str()).collect();
    assert_eq!(names, ["Amy Lee", "Ben Ade"]);
    assert!(sheet.iter().all(|l| l.status.is_none()));

    let first = d
        .store
        .mark_attendance(session, amy.meta.id, Presence::Present)
        .await
        .unwrap();
    let changed = d
        .store
        .mark_attendance(session, amy.meta.id, Presence::Late)
        .await
        .unwrap();
    assert_eq!(first.meta.id, changed.meta.id);
    assert_eq!(first.meta.id, Attendance::id_for(session, amy.meta.id));
    d.store
        .mark_attendance(session, ben.meta.id, Presence::Absent)
        .await
        .unwrap();
    let walk_in = d
        .store
        .add_walk_in(session, person("Cara Obi"))
        .await
        .unwrap();

    let sheet = d.store.attendance_sheet(session).await.unwrap();
    let marks: Vec<(&str, Option<Presence>, bool)> = sheet
        .iter()
        .map(|l| (l.participant.name.as_str(), l.status, l.walk_in))
        .collect();
    assert_eq!(
        marks,
        [
            ("Amy Lee", Some(Presence::Late), false),
            ("Ben Ade", Some(Presence::Absent), false),
            ("Cara Obi", Some(Presence::Present), true),
        ]
    );
    // The walk-in joins the cohort for the sessions after.
    assert!(d
        .store
        .cohort(d.version)
        .await
        .unwrap()
        .iter()
        .any(|p| p.meta.id == walk_in.meta.id));
    assert_eq!(d.store.counts().await.unwrap()["attendance"], 3);
}

#[tokio::test]
async fn a_reflection_is_saved_as_typed_keeps_earlier_wordings_and_goes_when_cleared() {
    let d = day().await;
    let session = d.sessions[0].meta.id;
    // Saving as the window does while the facilitator types: the same id each time.
    let save = |id: Option<Uuid>, text: &str| {
        d.store.save_reflection(ReflectionDraft {
            id,
            ..common::said(session, None, text)
        })
    };
    let first = save(None, "We keep").await.unwrap().unwrap();
    d.clock.advance_ms(400);
    let id = Some(first.meta.id);
    save(id, "We keep designing").await.unwrap();
    d.clock.advance_ms(400);
    let last = save(id, "We keep designing for people, not with them.")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.meta.id, first.meta.id);
    assert_eq!(last.captured_at, first.captured_at);

    let earlier = d
        .store
        .earlier_versions("reflection", first.meta.id)
        .await
        .unwrap();
    let texts: Vec<&str> = earlier.iter().map(|v| v.text.as_str()).collect();
    assert_eq!(texts, ["We keep", "We keep designing"]);
    assert_eq!(d.store.reflections_of(session).await.unwrap().len(), 1);

    assert!(save(id, "   ").await.unwrap().is_none());
    assert!(d.store.reflections_of(session).await.unwrap().is_empty());
    assert!(save(None, "").await.unwrap().is_none());
    assert_eq!(d.store.counts().await.unwrap()["reflection"], 0);
}

#[tokio::test]
async fn open_actions_come_back_at_the_cohorts_next_session() {
    let d = day().await;
    let amy = d
        .store
        .add_participant(Some(d.version), person("Amy Lee"))
        .await
        .unwrap();
    let (first, second) = (d.sessions[0].meta.id, d.sessions[1].meta.id);
    let open = d
        .store
        .add_action(first, Some(amy.meta.id), "Meet the housing team")
        .await
        .unwrap();
    let done = d
        .store
        .add_action(first, None, "Share the system map")
        .await
        .unwrap();
    d.store
        .update(
            "action",
            done.meta.id,
            common::patch(serde_json::json!({"status": "done"})),
        )
        .await
        .unwrap();
    assert!(d.store.add_action(first, None, "  ").await.is_err());

    let follow = d.store.actions_to_follow_up(second).await.unwrap();
    assert_eq!(follow.len(), 1);
    assert_eq!(follow[0].action.meta.id, open.meta.id);
    assert_eq!(follow[0].participant.as_deref(), Some("Amy Lee"));
    assert_eq!(follow[0].from_session, d.sessions[0].title);
    // Not at the session where it was made.
    assert!(d
        .store
        .actions_to_follow_up(first)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn notes_keep_one_running_text_and_time_stamped_observations() {
    let d = day().await;
    let session = d.sessions[0].meta.id;
    d.store
        .save_session_note(session, "Room too warm")
        .await
        .unwrap();
    d.store
        .save_session_note(session, "Room too warm; moved to the hall")
        .await
        .unwrap();
    d.store
        .add_observation(session, "Energy dipped after lunch")
        .await
        .unwrap();
    d.clock.advance_ms(Duration::minutes(20).num_milliseconds());
    d.store
        .add_observation(session, "Lively fishbowl")
        .await
        .unwrap();
    assert!(d.store.add_observation(session, " ").await.is_err());

    let notes = d.store.session_notes(session).await.unwrap();
    assert_eq!(notes.note.unwrap().text, "Room too warm; moved to the hall");
    let texts: Vec<&str> = notes.observations.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(texts, ["Lively fishbowl", "Energy dipped after lunch"]);
    assert_eq!(notes.observations[0].observed_at, Some(d.clock.now()));
}
