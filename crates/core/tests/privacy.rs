//! Participants' data: consent that later exports follow, anonymising, erasing and a subject
//! access export, on real SQLite files whose bytes are searched.

use fieldbook_core::day::NewParticipant;
use fieldbook_core::domain::*;
use fieldbook_core::erasure::Consent;
use fieldbook_core::export::{render, Audience, Format, Scope};
use fieldbook_core::Store;
use uuid::Uuid;

use crate::common;

struct Room {
    store: Store,
    _tmp: tempfile::TempDir,
    session: Uuid,
    person: Participant,
}

async fn room() -> Room {
    let (tmp, store) = common::demo().await;
    let version = common::sunderland(&store).await;
    let session = common::first_session(&store, version).await;
    let form = NewParticipant {
        name: "Ottoline Fairweather".into(),
        organisation: "Millfield Tenants' Association".into(),
        sector: Sector::Community,
        role: "Chair".into(),
        consent_named: true,
        consent_quoted: true,
        consent_contact: true,
    };
    let person = store.add_participant(Some(version), form).await.unwrap();
    store
        .mark_attendance(session, person.meta.id, Presence::Present)
        .await
        .unwrap();
    store
        .save_reflection(common::said(
            session,
            Some(person.meta.id),
            "Our estate has been consulted to exhaustion by people who never come back",
        ))
        .await
        .unwrap();
    store
        .add_action(
            session,
            Some(person.meta.id),
            "Invite the housing officer to the tenants' meeting",
        )
        .await
        .unwrap();
    Room {
        store,
        _tmp: tmp,
        session,
        person,
    }
}

async fn file_bytes(store: &Store) -> Vec<u8> {
    store.compact().await.unwrap();
    let mut bytes = std::fs::read(store.path()).unwrap();
    let wal = store.path().with_extension("db-wal");
    if let Ok(more) = std::fs::read(wal) {
        bytes.extend(more);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

async fn handout(r: &Room) -> String {
    let e = r
        .store
        .gather_export(Scope::Session(r.session), Audience::Participant)
        .await
        .unwrap();
    String::from_utf8(render(&e, Format::Md, false).unwrap()).unwrap()
}

#[tokio::test]
async fn withdrawing_consent_takes_effect_in_every_later_export() {
    let r = room().await;
    assert!(handout(&r).await.contains("Ottoline Fairweather"));
    let withdrawn = r
        .store
        .set_consent(r.person.meta.id, Consent::Named, false)
        .await
        .unwrap();
    assert!(!withdrawn.consent_named && withdrawn.consent_named_at.is_some());
    let md = handout(&r).await;
    assert!(
        !md.contains("Ottoline")
            && md.contains("consulted to exhaustion")
            && md.contains("Participant 1")
    );
    r.store
        .set_consent(r.person.meta.id, Consent::Quoted, false)
        .await
        .unwrap();
    assert!(!handout(&r).await.contains("consulted to exhaustion"));
}

#[tokio::test]
async fn erasing_removes_identity_and_words_from_the_file() {
    let r = room().await;
    r.store.erase_participant(r.person.meta.id).await.unwrap();
    let bytes = file_bytes(&r.store).await;
    common::assert_none_in(
        &bytes,
        &[
            "Ottoline",
            "Fairweather",
            "Millfield Tenants",
            "consulted to exhaustion",
            "housing officer",
        ],
        "the file",
    );
    assert!(r.store.reflections_of(r.session).await.unwrap().is_empty());
    assert!(r.store.get::<Participant>(r.person.meta.id).await.is_err());
}

#[tokio::test]
async fn anonymising_keeps_the_words_and_drops_the_identity() {
    let r = room().await;
    r.store
        .anonymise_participant(r.person.meta.id)
        .await
        .unwrap();
    let bytes = file_bytes(&r.store).await;
    common::assert_none_in(
        &bytes,
        &["Ottoline", "Fairweather", "Millfield Tenants"],
        "the file",
    );
    let reflections = r.store.reflections_of(r.session).await.unwrap();
    assert_eq!(reflections.len(), 1);
    assert!(reflections[0].participant_id.is_none());
    assert!(reflections[0].text.contains("consulted to exhaustion"));
    let actions = r.store.actions_of(r.session).await.unwrap();
    assert_eq!((actions.len(), actions[0].participant_id), (1, None));
}

#[tokio::test]
async fn a_subject_access_export_holds_everything_about_one_person() {
    let r = room().await;
    let data = r.store.participant_data(r.person.meta.id).await.unwrap();
    assert_eq!(data.participant.name, "Ottoline Fairweather");
    assert_eq!(data.attendance.len(), 1);
    assert_eq!(data.reflections.len(), 1);
    assert_eq!(data.actions.len(), 1);
    assert!(data.reflections[0]["text"]
        .as_str()
        .unwrap()
        .contains("consulted"));
}

#[tokio::test]
async fn words_past_a_programmes_retention_are_listed_and_deleted_after_confirmation() {
    let r = room().await;
    let programme = common::programme_titled(&r.store, common::LCT)
        .await
        .programme;
    // The session was on 27 January 2027; with a retention of 1 month it is past from March.
    assert!(
        r.store.past_retention().await.unwrap().is_empty(),
        "no retention set, nothing listed"
    );
    r.store
        .update(
            "programme",
            programme.meta.id,
            common::patch(serde_json::json!({"retention_months": 1})),
        )
        .await
        .unwrap();
    let session: Session = r.store.get(r.session).await.unwrap();
    assert_eq!(session.date.unwrap().to_string(), "2027-01-27");
    // The store's clock is the real one (2026), so the session is not past yet...
    assert!(r.store.past_retention().await.unwrap().is_empty());
    // ...until it is dated long ago.
    r.store
        .update(
            "session",
            r.session,
            common::patch(serde_json::json!({"date": "2025-01-27"})),
        )
        .await
        .unwrap();
    let past = r.store.past_retention().await.unwrap();
    assert_eq!(past.len(), 1);
    assert_eq!(
        (past[0].reflections, past[0].actions, past[0].attendance),
        (1, 1, 1)
    );
    // Only sessions actually past retention are touched.
    assert_eq!(r.store.apply_retention(&[Uuid::now_v7()]).await.unwrap(), 0);
    assert!(r.store.apply_retention(&[r.session]).await.unwrap() >= 3);
    assert!(r.store.past_retention().await.unwrap().is_empty());
    let bytes = file_bytes(&r.store).await;
    assert!(!contains(&bytes, "consulted to exhaustion") && !contains(&bytes, "housing officer"));
    // The cohort itself stays: retention removes words, not the programme's record of people.
    assert!(r.store.get::<Participant>(r.person.meta.id).await.is_ok());
}

/// A laptop with everything `from` holds, through a sync bundle.
async fn copy_of(from: &Store) -> (Store, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).await.unwrap();
    exchange(from, &store).await;
    (store, tmp)
}

/// `to` merges everything `from` holds.
async fn exchange(from: &Store, to: &Store) {
    common::send(from, to).await;
}

const SAID: &str = "consulted to exhaustion";
const ACTION: &str = "housing officer";

#[tokio::test]
async fn erased_on_one_laptop_while_anonymised_on_another_their_words_are_gone_everywhere() {
    let a = room().await;
    let (b, _b) = copy_of(&a.store).await;
    let (c, _c) = copy_of(&a.store).await;
    a.store.erase_participant(a.person.meta.id).await.unwrap();
    b.anonymise_participant(a.person.meta.id).await.unwrap();

    // A and B swap, both ways, twice (nothing refused the second time); C hears from B
    // first and from A after.
    for _ in 0..2 {
        exchange(&a.store, &b).await;
        exchange(&b, &a.store).await;
    }
    exchange(&b, &c).await;
    exchange(&a.store, &c).await;
    for store in [&a.store, &b, &c] {
        let reflections = store.reflections_of(a.session).await.unwrap();
        assert!(reflections.iter().all(|r| !r.text.contains(SAID)));
        let actions = store.actions_of(a.session).await.unwrap();
        assert!(actions.iter().all(|x| !x.text.contains(ACTION)));
        let bytes = file_bytes(store).await;
        common::assert_none_in(&bytes, &[SAID, ACTION, "Ottoline", "Fairweather"], "a file");
    }
    // And they still agree on every version.
    exchange(&c, &a.store).await;
    exchange(&a.store, &b).await;
}

#[tokio::test]
async fn anonymised_on_one_laptop_the_words_stay_on_the_others_without_the_name() {
    let a = room().await;
    let (b, _b) = copy_of(&a.store).await;
    a.store
        .anonymise_participant(a.person.meta.id)
        .await
        .unwrap();
    exchange(&a.store, &b).await;
    let reflections = b.reflections_of(a.session).await.unwrap();
    assert!(reflections
        .iter()
        .any(|r| r.text.contains(SAID) && r.participant_id.is_none()));
    let bytes = file_bytes(&b).await;
    common::assert_none_in(
        &bytes,
        &["Ottoline", "Fairweather", "Millfield Tenants"],
        "B's file",
    );
}
