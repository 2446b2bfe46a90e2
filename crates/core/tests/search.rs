//! Searching reflections: stemming, phrases, symbols that must never break a search, filters,
//! counts, marking, and erased words that search can no longer find.

use chrono::{TimeZone, Utc};
use fieldbook_core::clock::ManualClock;
use fieldbook_core::day::NewParticipant;
use fieldbook_core::domain::*;
use fieldbook_core::search::{SearchQuery, SearchResult, Sort, MARK_END, MARK_START};
use fieldbook_core::Store;
use uuid::Uuid;

use crate::common;

struct Data {
    store: Store,
    clock: ManualClock,
    _tmp: tempfile::TempDir,
    sunderland: Uuid,
    national_session: Uuid,
    people: Vec<Participant>,
}

async fn data() -> Data {
    let (tmp, clock, store) = common::demo_at(common::utc(2027, 1, 27, 10, 0)).await;
    let sunderland = common::sunderland(&store).await;
    let national = common::national_of(&common::programme_titled(&store, common::LCT).await);
    let session = common::first_session(&store, sunderland).await;
    let national_session = common::first_session(&store, national).await;
    let mut people = Vec::new();
    for (name, sector) in [
        ("Asha Patel", Sector::Public),
        ("Rob Hindmarsh", Sector::Voluntary),
    ] {
        let form = NewParticipant {
            sector,
            consent_named: true,
            consent_quoted: true,
            ..common::newcomer(name)
        };
        people.push(store.add_participant(Some(sunderland), form).await.unwrap());
    }
    let texts = [
        (
            0,
            "We keep listening to communities and then ignoring what they said.",
        ),
        (
            1,
            "Shared power means the budget is on the table too, quixotically.",
        ),
        (0, "I will listen first at the next commissioning panel."),
        (1, "Trust is built in small promises kept."),
    ];
    for (who, text) in texts {
        clock.advance_ms(60_000);
        store
            .save_reflection(common::said(session, Some(people[who].meta.id), text))
            .await
            .unwrap();
    }
    clock.advance_ms(60_000);
    store
        .save_reflection(common::said(
            national_session,
            None,
            "Listening tours are not the same as sharing power.",
        ))
        .await
        .unwrap();
    Data {
        store,
        clock,
        _tmp: tmp,
        sunderland,
        national_session,
        people,
    }
}

impl Data {
    async fn search(&self, query: SearchQuery) -> SearchResult {
        common::search(&self.store, query).await
    }
}

/// `query` with the best matches first rather than the newest.
fn best_first(query: SearchQuery) -> SearchQuery {
    SearchQuery {
        sort: Sort::Relevance,
        ..query
    }
}

/// Fails the test unless the first hit of `found` marks `word`.
fn assert_marked(found: &SearchResult, word: &str) {
    let marked = &found.hits[0].marked;
    assert!(
        marked.contains(&format!("{MARK_START}{word}{MARK_END}")),
        "{marked}"
    );
}

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn words_are_found_by_their_stem_and_marked() {
    let d = data().await;
    let found = d.search(q("listening")).await;
    assert_eq!(found.total, 3, "listening, listen and Listening");
    assert_marked(&found, "Listening");
    // Newest first by default.
    assert_eq!(found.hits[0].session_id, d.national_session.to_string());
}

#[tokio::test]
async fn phrases_must_appear_together_and_all_words_must_appear() {
    let d = data().await;
    // Stemmed: "shared power" also finds "sharing power"; order within a phrase matters.
    assert_eq!(d.search(q("\"shared power\"")).await.total, 2);
    assert_eq!(d.search(q("\"power means\"")).await.total, 1);
    assert_eq!(d.search(q("\"means power\"")).await.total, 0);
    assert_eq!(d.search(q("power")).await.total, 2);
    assert_eq!(d.search(q("power budget")).await.total, 1);
    assert_eq!(d.search(q("commiss*")).await.total, 1);
}

#[tokio::test]
async fn symbols_never_break_a_search() {
    let d = data().await;
    for odd in [
        "\"",
        "\"\"\"",
        "*",
        "**power",
        "power*)",
        "NEAR(",
        "OR",
        "AND NOT",
        "-",
        "^",
        "'",
        "😀",
        "؟",
        "a\"b",
        "col:umn",
        "{x}",
        "%_",
        "--;DROP TABLE reflection;",
    ] {
        let result = d.store.search(&q(odd)).await;
        assert!(result.is_ok(), "{odd:?}: {result:?}");
    }
    assert_eq!(d.store.counts().await.unwrap()["reflection"], 5);
}

#[tokio::test]
async fn filters_narrow_and_counts_follow() {
    let d = data().await;
    let all = d.search(q("")).await;
    assert_eq!(all.total, 5);
    let sunderland = d
        .search(SearchQuery {
            version_id: Some(d.sunderland),
            ..q("")
        })
        .await;
    assert_eq!(sunderland.total, 4);
    assert!(sunderland
        .hits
        .iter()
        .all(|h| h.place.as_deref() == Some("Sunderland")));
    // Each filter alone, and how many it leaves.
    let day = |date: &str| Some(date.parse().unwrap());
    for (filter, query, total) in [
        (
            "a sector",
            SearchQuery {
                sector: Some("voluntary".into()),
                ..q("")
            },
            2,
        ),
        (
            "a participant",
            SearchQuery {
                participant_id: Some(d.people[0].meta.id),
                ..q("listen")
            },
            2,
        ),
        (
            "from a later day",
            SearchQuery {
                from: day("2027-01-28"),
                ..q("")
            },
            0,
        ),
        (
            "on that day",
            SearchQuery {
                from: day("2027-01-27"),
                to: day("2027-01-27"),
                ..q("")
            },
            5,
        ),
    ] {
        assert_eq!(d.search(query).await.total, total, "{filter}");
    }
    let page = d
        .search(SearchQuery {
            limit: Some(2),
            offset: 2,
            ..q("")
        })
        .await;
    assert_eq!((page.total, page.hits.len()), (5, 2));
}

#[tokio::test]
async fn relevance_puts_the_closest_match_first() {
    let d = data().await;
    let found = d.search(best_first(q("power"))).await;
    assert_eq!(found.total, 2);
    let newest = d.search(q("power")).await;
    assert_eq!(found.hits.len(), newest.hits.len());
}

#[tokio::test]
async fn erased_words_cannot_be_found_and_leave_no_trace_in_the_index() {
    let d = data().await;
    d.clock.advance_ms(1000);
    d.store
        .erase_participant(d.people[1].meta.id)
        .await
        .unwrap();
    assert_eq!(d.search(q("quixotically")).await.total, 0);
    assert_eq!(d.search(q("promises")).await.total, 0);
    assert_eq!(d.search(q("")).await.total, 3);
    let bytes = std::fs::read(d.store.path()).unwrap();
    common::assert_none_in(&bytes, &["quixot", "promis"], "the file");
}

#[tokio::test]
async fn newest_first_follows_when_said_not_when_it_arrived_and_deleted_ones_leave() {
    let d = data().await;
    let session = d.store.sessions_of(d.sunderland).await.unwrap()[1].meta.id;
    let said_at = |h: u32, ms: u32| {
        Utc.with_ymd_and_hms(2026, 3, 4, h, 0, 0).unwrap()
            + chrono::Duration::milliseconds(ms.into())
    };
    // Arriving in this order (as from another laptop's bundle), said in another.
    let mut made = Vec::new();
    for (text, at) in [
        ("Zebra crossing middle", said_at(11, 0)),
        ("Zebra crossing earliest", said_at(9, 0)),
        ("Zebra crossing latest", said_at(15, 0)),
        // Two in the same millisecond both stay findable.
        ("Zebra crossing twin one", said_at(12, 5)),
        ("Zebra crossing twin two", said_at(12, 5)),
    ] {
        let mut r = Reflection {
            meta: Meta::new(),
            session_id: session,
            agenda_item_id: None,
            participant_id: None,
            prompt: String::new(),
            text: text.into(),
            captured_at: at,
            sent_from: None,
        };
        d.store.save(&mut r).await.unwrap();
        made.push(r);
    }
    let newest = d.search(q("zebra")).await;
    let order: Vec<&str> = newest.hits.iter().map(|h| h.text.as_str()).collect();
    assert_eq!(order.len(), 5);
    assert_eq!(order[0], "Zebra crossing latest");
    assert!(order[1].contains("twin") && order[2].contains("twin"));
    assert_eq!(
        &order[3..],
        ["Zebra crossing middle", "Zebra crossing earliest"]
    );
    // The same order with no words typed, and a date range is a range of times.
    let all = d
        .search(SearchQuery {
            from: Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()),
            to: Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()),
            ..Default::default()
        })
        .await;
    let texts: Vec<&str> = all.hits.iter().map(|h| h.text.as_str()).collect();
    assert_eq!(texts, order);
    // Deleted: gone from the count and the list; restored: back in its place.
    d.store.remove("reflection", made[2].meta.id).await.unwrap();
    let after = d.search(q("zebra")).await;
    assert_eq!(after.total, 4);
    assert!(
        after.hits[0].text.contains("twin"),
        "{:?}",
        after.hits[0].text
    );
    d.store
        .restore("reflection", made[2].meta.id)
        .await
        .unwrap();
    let back = d.search(q("zebra")).await;
    assert_eq!(back.total, 5);
    assert_eq!(back.hits[0].text, "Zebra crossing latest");
    // A correction of the words is found by its new words only.
    let mut changed: Reflection = d.store.get(made[0].meta.id).await.unwrap();
    changed.text = "Giraffe crossing middle".into();
    d.store.save(&mut changed).await.unwrap();
    assert_eq!(d.search(q("zebra")).await.total, 4);
    assert_eq!(d.search(q("giraffe")).await.total, 1);
}

#[tokio::test]
async fn a_sector_filter_follows_a_participant_whose_sector_changes() {
    let d = data().await;
    let sector = |s: &str| SearchQuery {
        sector: Some(s.into()),
        ..Default::default()
    };
    let public_before = d.search(sector("public")).await.total;
    assert!(public_before > 0);
    let mut asha: Participant = d.store.get(d.people[0].meta.id).await.unwrap();
    assert_eq!(asha.sector, Sector::Public);
    asha.sector = Sector::Community;
    d.store.save(&mut asha).await.unwrap();
    assert_eq!(d.search(sector("public")).await.total, 0);
    let community = d.search(sector("community")).await;
    assert_eq!(community.total, public_before);
    assert!(community
        .hits
        .iter()
        .all(|h| h.participant.as_deref() == Some("Asha Patel")));
    // Words and a sector together; a made-up sector is refused, not an FTS error.
    let both = SearchQuery {
        text: "listening".into(),
        sector: Some("community".into()),
        ..Default::default()
    };
    assert_eq!(d.search(both).await.total, 2);
    assert!(d.store.search(&sector("Public\" OR x")).await.is_err());
}

#[tokio::test]
async fn searching_as_you_type_finds_words_by_their_start_and_marks_them() {
    let d = data().await;
    let typed = |text: &str| SearchQuery {
        text: text.into(),
        as_you_type: true,
        ..Default::default()
    };
    // Part of a word finds nothing when searching for whole words...
    assert_eq!(d.search(q("trus")).await.total, 0);
    // ...but while typing, the last word matches the start of words.
    let found = d.search(typed("trus")).await;
    assert_eq!(found.total, 1);
    assert_marked(&found, "Trust");
    // Best match first marks them too.
    let best = d.search(best_first(typed("promises kep"))).await;
    assert_eq!(best.total, 1);
    assert_marked(&best, "kept");
    assert_eq!(d.search(typed("commun")).await.total, 1);
    assert_eq!(d.search(typed("budget tab")).await.total, 1);
    // Only the last word: "tab" as an earlier word must be whole.
    assert_eq!(d.search(typed("tab budget")).await.total, 0);
    // A space after the word finishes it.
    assert_eq!(d.search(typed("trus ")).await.total, 0);
}
