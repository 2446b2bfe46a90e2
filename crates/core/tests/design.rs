//! Designing programmes: local versions, what differs from the national version, taking
//! national changes, and the agenda builder's operations, on real SQLite files.

use std::collections::HashMap;

use fieldbook_core::compare::{differences, Change};
use fieldbook_core::design::NewLocalVersion;
use fieldbook_core::domain::*;
use fieldbook_core::merge::{Action, Choice, MergeChange};
use fieldbook_core::Store;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::{self, patch};

struct Fixture {
    store: Store,
    _tmp: tempfile::TempDir,
    national: Uuid,
    session: Uuid,
    items: Vec<Uuid>,
}

/// A national version with one session: Welcome (15), Fishbowl (60), Lunch (45).
async fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).await.unwrap();
    store.create_programme(common::LCT).await.unwrap();
    let national = common::national_of(&common::programme_titled(&store, common::LCT).await);
    let session = store
        .create_session(Some(national), "Seeing the system")
        .await
        .unwrap();
    let mut items = Vec::new();
    for (title, minutes) in [("Welcome", 15), ("Fishbowl", 60), ("Lunch", 45)] {
        let item = store
            .add_agenda_item(session.meta.id, None, title, minutes, ItemKind::Activity)
            .await
            .unwrap();
        items.push(item.meta.id);
    }
    Fixture {
        store,
        _tmp: tmp,
        national,
        session: session.meta.id,
        items,
    }
}

/// The form for a local version named `name` for `place`, with nothing else filled in.
/// The titles of `sessions`, in order.
fn titles_of(sessions: Vec<Session>) -> Vec<String> {
    sessions.into_iter().map(|s| s.title).collect()
}

fn local(name: &str, place: &str) -> NewLocalVersion {
    NewLocalVersion {
        name: name.into(),
        place: place.into(),
        ..Default::default()
    }
}

impl Fixture {
    /// Changes fields of an agenda item, as the agenda builder does.
    async fn edit_item(&self, item: Uuid, fields: Value) {
        self.store
            .update("agenda_item", item, common::patch(fields))
            .await
            .unwrap();
    }

    /// Surrey, then the Fishbowl made 50 minutes nationally and 75 in Surrey: one field
    /// changed on both sides since the local version was made (60). Returns Surrey and the
    /// national changes it is offered.
    async fn surrey_with_fishbowl_changed_on_both_sides(&self) -> (Uuid, Vec<MergeChange>) {
        let surrey = self.surrey().await;
        self.edit_item(self.items[1], json!({"minutes": 50})).await;
        let fishbowl = self.local_item(surrey, self.items[1]).await;
        self.edit_item(fishbowl.meta.id, json!({"minutes": 75}))
            .await;
        let changes = self.store.national_changes(surrey).await.unwrap().changes;
        (surrey, changes)
    }

    /// Why making a local version of `from` with `form` is refused.
    async fn refused_local(&self, from: Uuid, form: NewLocalVersion) -> String {
        self.store
            .create_local_version(from, form)
            .await
            .unwrap_err()
            .to_string()
    }

    /// `local` has no national changes left to take.
    async fn assert_nothing_to_take(&self, local: Uuid) {
        let changes = self.store.national_changes(local).await.unwrap().changes;
        assert!(changes.is_empty(), "{changes:?}");
    }

    async fn surrey(&self) -> Uuid {
        let form = NewLocalVersion {
            name: "Leading Change Together: Surrey".into(),
            place: "Surrey".into(),
            partners: vec!["Surrey County Council".into(), "  ".into()],
            lead_facilitators: vec!["Sam Okafor".into()],
            cohort_start: Some("2027-03-01".parse().unwrap()),
            cohort_end: Some("2027-06-30".parse().unwrap()),
        };
        self.store
            .create_local_version(self.national, form)
            .await
            .unwrap()
            .meta
            .id
    }

    /// The local copy of a national agenda item.
    async fn local_item(&self, local: Uuid, national_item: Uuid) -> AgendaItem {
        let snapshot = self.store.snapshot_version(local).await.unwrap();
        snapshot.sessions[0]
            .items
            .iter()
            .find(|i| i.derived_from == Some(national_item))
            .cloned()
            .expect("the local version has a copy")
    }

    async fn titles(&self, version: Uuid) -> Vec<(String, u32)> {
        let snapshot = self.store.snapshot_version(version).await.unwrap();
        snapshot.sessions[0]
            .items
            .iter()
            .map(|i| (i.title.clone(), i.minutes))
            .collect()
    }

    /// The titles of the first session's agenda items in `version`, in order.
    async fn item_titles(&self, version: Uuid) -> Vec<String> {
        let titles = self.titles(version).await;
        titles.into_iter().map(|(title, _)| title).collect()
    }

    async fn differences(&self, local: Uuid) -> Vec<fieldbook_core::compare::Difference> {
        let l = self.store.snapshot_version(local).await.unwrap();
        let n = self.store.snapshot_version(self.national).await.unwrap();
        differences(&n, &l)
    }
}

#[tokio::test]
async fn a_new_local_version_is_a_linked_copy_with_no_differences() {
    let f = fixture().await;
    let surrey = f.surrey().await;
    let version: ProgrammeVersion = f.store.get(surrey).await.unwrap();
    assert_eq!(version.based_on, Some(f.national));
    assert_eq!(version.partners, ["Surrey County Council"]);
    assert_eq!(f.titles(surrey).await, f.titles(f.national).await);
    let local = f.store.snapshot_version(surrey).await.unwrap();
    assert_eq!(local.sessions[0].session.derived_from, Some(f.session));
    assert!(f.differences(surrey).await.is_empty());
    f.assert_nothing_to_take(surrey).await;
}

#[tokio::test]
async fn a_local_version_needs_a_place_and_comes_from_a_national_version() {
    let f = fixture().await;
    let err = f.refused_local(f.national, local("Nowhere", "")).await;
    assert_eq!(err, "A local version needs a place.");
    let surrey = f.surrey().await;
    let err = f.refused_local(surrey, local("X", "Y")).await;
    assert!(err.contains("national version"), "{err}");
    assert_eq!(f.store.counts().await.unwrap()["programme_version"], 2);
}

#[tokio::test]
async fn changing_a_duration_moves_later_start_times_and_shows_as_a_difference() {
    let f = fixture().await;
    let surrey = f.surrey().await;
    let fishbowl = f.local_item(surrey, f.items[1]).await;
    f.edit_item(fishbowl.meta.id, json!({"minutes": 75})).await;

    let local_session = fishbowl.session_id;
    let times = f
        .store
        .session_detail(local_session)
        .await
        .unwrap()
        .timetable;
    let starts: Vec<&str> = times.items.iter().map(|i| i.start.as_str()).collect();
    assert_eq!(starts, ["09:30", "09:45", "11:00"]);
    let national = f.store.session_detail(f.session).await.unwrap().timetable;
    assert_eq!(national.items[2].start, "10:45");

    let diffs = f.differences(surrey).await;
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert_eq!(diffs[0].change, Change::Changed);
    assert_eq!(diffs[0].item_title.as_deref(), Some("Fishbowl"));
    assert_eq!(diffs[0].fields[0].field, "minutes");
    assert_eq!(
        (
            diffs[0].fields[0].national.clone(),
            diffs[0].fields[0].local.clone()
        ),
        (json!(60), json!(75))
    );
}

#[tokio::test]
async fn added_removed_and_moved_items_are_each_named_once() {
    let f = fixture().await;
    let closing = f
        .store
        .add_agenda_item(f.session, None, "Closing round", 15, ItemKind::Plenary)
        .await
        .unwrap();
    let surrey = f.surrey().await;
    let welcome = f.local_item(surrey, f.items[0]).await;
    let lunch = f.local_item(surrey, f.items[2]).await;
    let closing = f.local_item(surrey, closing.meta.id).await;
    f.store
        .add_agenda_item(
            welcome.session_id,
            Some(welcome.meta.id),
            "Walk by the river",
            20,
            ItemKind::Pairs,
        )
        .await
        .unwrap();
    f.store
        .remove("agenda_item", closing.meta.id)
        .await
        .unwrap();
    // Lunch first: only Lunch moved, not everything after it.
    f.store.move_agenda_item(lunch.meta.id, 0).await.unwrap();

    let diffs = f.differences(surrey).await;
    let summary: Vec<(Change, Option<&str>)> = diffs
        .iter()
        .map(|d| (d.change, d.item_title.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (Change::Moved, Some("Lunch")),
            (Change::Removed, Some("Closing round")),
            (Change::Added, Some("Walk by the river")),
        ]
    );
}

#[tokio::test]
async fn independent_national_changes_apply_without_touching_local_edits() {
    let f = fixture().await;
    let surrey = f.surrey().await;
    // National renames Welcome and adds a closing round; Surrey lengthens the Fishbowl.
    f.edit_item(f.items[0], json!({"title": "Welcome and check-in"}))
        .await;
    f.store
        .add_agenda_item(
            f.session,
            Some(f.items[2]),
            "Closing round",
            15,
            ItemKind::Plenary,
        )
        .await
        .unwrap();
    let fishbowl = f.local_item(surrey, f.items[1]).await;
    f.edit_item(fishbowl.meta.id, json!({"minutes": 75})).await;

    let changes = f.store.national_changes(surrey).await.unwrap().changes;
    let actions: Vec<(Action, bool)> = changes.iter().map(|c| (c.action, c.conflict)).collect();
    assert_eq!(
        actions,
        [(Action::SetField, false), (Action::AddItem, false)]
    );

    assert_eq!(
        f.store
            .apply_national_changes(surrey, &HashMap::new())
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        f.titles(surrey).await,
        [
            ("Welcome and check-in".to_owned(), 15),
            ("Fishbowl".to_owned(), 75),
            ("Lunch".to_owned(), 45),
            ("Closing round".to_owned(), 15),
        ]
    );
    // Taken once, not offered again.
    f.assert_nothing_to_take(surrey).await;
}

#[tokio::test]
async fn the_same_field_changed_on_both_sides_waits_for_the_facilitator() {
    let f = fixture().await;
    let (surrey, changes) = f.surrey_with_fishbowl_changed_on_both_sides().await;
    assert_eq!(changes.len(), 1);
    let conflict = &changes[0];
    assert!(conflict.conflict);
    assert_eq!(
        (
            conflict.base.clone(),
            conflict.national.clone(),
            conflict.local.clone()
        ),
        (json!(60), json!(50), json!(75))
    );

    // Without a choice nothing is written.
    let before = f.store.counts().await.unwrap();
    let err = f
        .store
        .apply_national_changes(surrey, &HashMap::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Choose which to keep"), "{err}");
    assert_eq!(f.local_item(surrey, f.items[1]).await.minutes, 75);
    assert_eq!(f.store.counts().await.unwrap(), before);

    let keep_local = HashMap::from([(conflict.key.clone(), Choice::Local)]);
    assert_eq!(
        f.store
            .apply_national_changes(surrey, &keep_local)
            .await
            .unwrap(),
        0
    );
    assert_eq!(f.local_item(surrey, f.items[1]).await.minutes, 75);
    f.assert_nothing_to_take(surrey).await;
}

#[tokio::test]
async fn choosing_the_national_side_of_a_conflict_takes_its_value() {
    let f = fixture().await;
    let (surrey, changes) = f.surrey_with_fishbowl_changed_on_both_sides().await;
    let key = changes[0].key.clone();
    f.store
        .apply_national_changes(surrey, &HashMap::from([(key, Choice::National)]))
        .await
        .unwrap();
    assert_eq!(f.local_item(surrey, f.items[1]).await.minutes, 50);
}

#[tokio::test]
async fn deletes_against_edits_are_conflicts_and_plain_deletes_apply() {
    let f = fixture().await;
    let surrey = f.surrey().await;
    // National deletes Welcome (untouched locally) and Lunch (edited locally).
    let lunch = f.local_item(surrey, f.items[2]).await;
    f.edit_item(lunch.meta.id, json!({"pinned_time": "12:30"}))
        .await;
    f.store.remove("agenda_item", f.items[0]).await.unwrap();
    f.store.remove("agenda_item", f.items[2]).await.unwrap();
    // Surrey deletes the Fishbowl, which national edits.
    let fishbowl = f.local_item(surrey, f.items[1]).await;
    f.store
        .remove("agenda_item", fishbowl.meta.id)
        .await
        .unwrap();
    f.edit_item(f.items[1], json!({"notes": "Four chairs, one empty"}))
        .await;

    let changes = f.store.national_changes(surrey).await.unwrap().changes;
    let summary: Vec<(Action, Option<&str>, bool)> = changes
        .iter()
        .map(|c| (c.action, c.item_title.as_deref(), c.conflict))
        .collect();
    assert_eq!(
        summary,
        [
            (Action::AddItem, Some("Fishbowl"), true),
            (Action::RemoveItem, Some("Welcome"), false),
            (Action::RemoveItem, Some("Lunch"), true),
        ]
    );
    let decisions = HashMap::from([
        (changes[0].key.clone(), Choice::National),
        (changes[2].key.clone(), Choice::Local),
    ]);
    f.store
        .apply_national_changes(surrey, &decisions)
        .await
        .unwrap();
    assert_eq!(
        f.titles(surrey).await,
        [("Fishbowl".to_owned(), 60), ("Lunch".to_owned(), 45)]
    );
}

#[tokio::test]
async fn a_session_added_nationally_is_offered_with_its_agenda() {
    let f = fixture().await;
    let surrey = f.surrey().await;
    let day_two = f
        .store
        .create_session(Some(f.national), "Day two")
        .await
        .unwrap();
    f.store
        .add_agenda_item(day_two.meta.id, None, "Check-in", 20, ItemKind::Plenary)
        .await
        .unwrap();

    let changes = f.store.national_changes(surrey).await.unwrap().changes;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].action, Action::AddSession);
    f.store
        .apply_national_changes(surrey, &HashMap::new())
        .await
        .unwrap();
    let local = f.store.snapshot_version(surrey).await.unwrap();
    assert_eq!(local.sessions.len(), 2);
    assert_eq!(local.sessions[1].session.title, "Day two");
    assert_eq!(local.sessions[1].items[0].title, "Check-in");
}

#[tokio::test]
async fn an_edit_with_a_field_that_cannot_change_or_a_bad_value_writes_nothing() {
    let f = fixture().await;
    let before: AgendaItem = f.store.get(f.items[0]).await.unwrap();
    for bad in [
        json!({"session_id": Uuid::now_v7()}),
        json!({"minutes": "a lot"}),
        json!({"minutes": -5}),
        json!({"minutes": 2000}),
        json!({"kind": "party"}),
        json!({"pinned_time": "25:00"}),
        json!({"title": ""}),
        json!({"notes": "x".repeat(20_001)}),
    ] {
        let err = f
            .store
            .update("agenda_item", f.items[0], patch(bad.clone()))
            .await;
        assert!(err.is_err(), "{bad} was accepted");
    }
    assert!(f
        .store
        .update("nonsense", f.items[0], patch(json!({})))
        .await
        .is_err());
    assert_eq!(f.store.get::<AgendaItem>(f.items[0]).await.unwrap(), before);
}

#[tokio::test]
async fn a_deleted_item_can_be_restored() {
    let f = fixture().await;
    f.store.remove("agenda_item", f.items[1]).await.unwrap();
    assert_eq!(f.titles(f.national).await.len(), 2);
    f.store.restore("agenda_item", f.items[1]).await.unwrap();
    assert_eq!(f.titles(f.national).await[1].0, "Fishbowl");
}

#[tokio::test]
async fn items_and_sessions_duplicate_and_move() {
    let f = fixture().await;
    f.store.duplicate_agenda_item(f.items[0]).await.unwrap();
    f.store.move_agenda_item(f.items[2], 1).await.unwrap();
    let titles = f.item_titles(f.national).await;
    assert_eq!(titles, ["Welcome", "Lunch", "Welcome", "Fishbowl"]);

    let copy = f.store.duplicate_session(f.session).await.unwrap();
    assert_eq!(copy.title, "Seeing the system (copy)");
    assert_eq!(f.store.agenda_of(copy.meta.id).await.unwrap().len(), 4);
    assert_eq!(f.store.sessions_of(f.national).await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_item_from_the_library_is_a_copy_that_knows_when_the_exercise_changed() {
    let f = fixture().await;
    let exercise = f.store.create_exercise("Troika consulting").await.unwrap();
    f.store
        .update("exercise", exercise.meta.id, patch(json!({"steps": ["Form threes", "Consult"], "prompts": ["What did you hear?"], "materials": ["Timer"]})))
        .await
        .unwrap();
    let item = f
        .store
        .add_exercise_to_agenda(f.session, exercise.meta.id, Some(f.items[0]))
        .await
        .unwrap();
    assert_eq!(item.title, "Troika consulting");
    assert_eq!(item.notes, "1. Form threes\n2. Consult");
    assert_eq!(item.prompt, "What did you hear?");
    let detail = f.store.session_detail(f.session).await.unwrap();
    assert_eq!(detail.timetable.items[1].item.meta.id, item.meta.id);
    assert!(!detail.exercise_links[0].changed_since);
    assert_eq!(detail.materials, ["Timer"]);

    // Editing the library does not change the agenda, but the agenda shows it.
    f.store
        .update(
            "exercise",
            exercise.meta.id,
            patch(json!({"steps": ["Form threes", "Consult", "Thank"]})),
        )
        .await
        .unwrap();
    let item_now: AgendaItem = f.store.get(item.meta.id).await.unwrap();
    assert_eq!(item_now.notes, "1. Form threes\n2. Consult");
    assert!(
        f.store
            .session_detail(f.session)
            .await
            .unwrap()
            .exercise_links[0]
            .changed_since
    );

    let refreshed = f
        .store
        .refresh_item_from_exercise(item.meta.id)
        .await
        .unwrap();
    assert_eq!(refreshed.notes, "1. Form threes\n2. Consult\n3. Thank");
    assert!(
        !f.store
            .session_detail(f.session)
            .await
            .unwrap()
            .exercise_links[0]
            .changed_since
    );
}

#[tokio::test]
async fn moving_an_item_back_and_forth_many_times_keeps_the_order_exact() {
    let f = fixture().await;
    // Each move halves the gap between Welcome and Fishbowl; after enough of them there is
    // no number left between the two, and the agenda is numbered afresh.
    for _ in 0..80 {
        f.store.move_agenda_item(f.items[2], 1).await.unwrap();
        f.store.move_agenda_item(f.items[0], 1).await.unwrap();
    }
    let titles = f.item_titles(f.national).await;
    assert_eq!(titles, ["Lunch", "Welcome", "Fishbowl"]);
    let positions: Vec<f64> = f
        .store
        .agenda_of(f.session)
        .await
        .unwrap()
        .iter()
        .map(|i| i.position)
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[tokio::test]
async fn sessions_move_within_their_version() {
    let f = fixture().await;
    f.store
        .create_session(Some(f.national), "Day two")
        .await
        .unwrap();
    let third = f
        .store
        .create_session(Some(f.national), "Day three")
        .await
        .unwrap();
    f.store.move_session(third.meta.id, 0).await.unwrap();
    let titles = titles_of(f.store.sessions_of(f.national).await.unwrap());
    assert_eq!(titles, ["Day three", "Seeing the system", "Day two"]);
    let one_off = f.store.create_session(None, "One-off").await.unwrap();
    assert!(f.store.move_session(one_off.meta.id, 0).await.is_err());
}

#[tokio::test]
async fn a_new_programme_comes_with_its_national_version() {
    let f = fixture().await;
    let programme = f
        .store
        .create_programme("  Commissioning with Communities ")
        .await
        .unwrap();
    assert_eq!(programme.title, "Commissioning with Communities");
    let overview = f.store.programme_overview(programme.meta.id).await.unwrap();
    assert_eq!(overview.versions.len(), 1);
    assert_eq!(overview.versions[0].version.kind, VersionKind::National);
    assert!(f.store.create_programme(" ").await.is_err());
}

#[tokio::test]
async fn an_agenda_item_needs_at_least_a_minute_and_at_most_a_day_and_a_refusal_changes_nothing() {
    let f = fixture().await;
    let welcome = f.items[0];
    for minutes in [0, 9999] {
        let refused = f
            .store
            .update("agenda_item", welcome, patch(json!({ "minutes": minutes })))
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.ends_with("Nothing has been changed."), "{refused}");
    }
    let zero = f
        .store
        .add_agenda_item(f.session, None, "Silence", 0, ItemKind::Activity)
        .await
        .unwrap_err()
        .to_string();
    assert!(zero.contains("at least 1 minute"), "{zero}");
    let item: AgendaItem = f.store.get(welcome).await.unwrap();
    assert_eq!(item.minutes, 15);
    f.edit_item(welcome, json!({ "minutes": 1 })).await;
    let item: AgendaItem = f.store.get(welcome).await.unwrap();
    assert_eq!(item.minutes, 1);
}

#[tokio::test]
async fn a_cohort_that_ends_before_it_starts_is_refused_when_made_or_changed() {
    let f = fixture().await;
    let backwards = NewLocalVersion {
        cohort_start: Some("2027-03-01".parse().unwrap()),
        cohort_end: Some("2027-02-01".parse().unwrap()),
        ..local("Leading Change Together: Surrey", "Surrey")
    };
    let refused = f.refused_local(f.national, backwards).await;
    assert!(refused.contains("must end on or after"), "{refused}");
    let surrey = f.surrey().await;
    let refused = f
        .store
        .update(
            "programme_version",
            surrey,
            patch(json!({ "cohort_end": "2027-02-28" })),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.ends_with("Nothing has been changed."), "{refused}");
    let kept: ProgrammeVersion = f.store.get(surrey).await.unwrap();
    assert_eq!(kept.cohort_end, Some("2027-06-30".parse().unwrap()));
}

#[tokio::test]
async fn the_demo_is_described_and_cleared_keeping_what_the_facilitator_made() {
    let (_tmp, store) = common::demo().await;
    let today: chrono::NaiveDate = "2027-01-01".parse().unwrap();
    let welcome = store.welcome(today).await.unwrap();
    let demo = welcome.demo.expect("the demo is there");
    assert_eq!(
        demo.programmes,
        ["Leading Change Together", "Commissioning with Communities"]
    );
    assert!(demo.exercises > 10 && demo.sessions > 5, "{demo:?}");
    assert!(!demo.holds_people);
    let next = welcome.next_session.expect("a dated session after today");
    assert!(next.date >= today);

    // A one-off session of the facilitator's own, built from a demo exercise.
    let mine = store
        .create_session(None, "Our own away day")
        .await
        .unwrap();
    let exercise: Exercise = store
        .list("title = 'Walking pairs'", &[])
        .await
        .unwrap()
        .pop()
        .unwrap();
    store
        .add_exercise_to_agenda(mine.meta.id, exercise.meta.id, None)
        .await
        .unwrap();
    // Its materials checklist keeps "A simple route map, if going outdoors" whole.
    let materials = store.session_detail(mine.meta.id).await.unwrap().materials;
    assert!(
        materials.contains(&"A simple route map, if going outdoors".to_owned()),
        "{materials:?}"
    );

    // A local version of a demo programme: that programme is the facilitator's now.
    let national = common::national_of(&common::programme_titled(&store, common::LCT).await);
    common::local_version(&store, national, "Surrey").await;
    let exercises_before = store.list::<Exercise>("1", &[]).await.unwrap().len();

    let cleared = store.clear_demo().await.unwrap();
    assert_eq!(cleared.programmes, ["Commissioning with Communities"]);
    let kept: Vec<String> = store
        .programme_overviews()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.programme.title)
        .collect();
    assert_eq!(kept, ["Leading Change Together"]);
    let left = titles_of(store.standalone_sessions().await.unwrap());
    assert_eq!(left, ["Our own away day"]);
    let library: Vec<Exercise> = store.list("1", &[]).await.unwrap();
    assert!(
        library.iter().any(|e| e.title == "Walking pairs"),
        "the exercise the facilitator's agenda uses stays"
    );
    assert!(library.len() < exercises_before, "unused demo exercises go");
    assert_eq!(store.welcome(today).await.unwrap().demo, None);
}

#[tokio::test]
async fn the_demo_is_not_cleared_while_it_holds_someones_data() {
    let (_tmp, store) = common::demo().await;
    let version = store.programme_overviews().await.unwrap()[0].versions[0]
        .version
        .meta
        .id;
    let form: fieldbook_core::day::NewParticipant =
        serde_json::from_value(json!({ "name": "Priya Shah" })).unwrap();
    store.add_participant(Some(version), form).await.unwrap();
    let refused = store.clear_demo().await.unwrap_err().to_string();
    assert!(refused.ends_with("Nothing has been changed."), "{refused}");
    assert_eq!(store.programme_overviews().await.unwrap().len(), 2);
}
