//! Coding reflections with themes: naming, tagging many at once, merging (also when the merge
//! and a tag were made on different laptops), summaries by place and over time, comparing
//! places, a reflection in its context, the learning summary and its consent rules.

use std::io::Read;

use fieldbook_core::clock::ManualClock;
use fieldbook_core::day::{NewParticipant, ReflectionDraft};
use fieldbook_core::domain::*;
use fieldbook_core::export::learning;
use fieldbook_core::search::{SearchQuery, SearchResult};
use fieldbook_core::sync::BundleScope;
use fieldbook_core::themes::{Breakdown, SummaryScope};
use fieldbook_core::Store;
use uuid::Uuid;

use crate::common;

struct Place {
    version: Uuid,
    sessions: Vec<Uuid>,
}

struct Data {
    store: Store,
    clock: ManualClock,
    _tmp: tempfile::TempDir,
    programme: Uuid,
    sunderland: Place,
    surrey: Place,
    /// Sunderland's reflections, in the order they were said.
    said: Vec<Reflection>,
    /// Surrey's reflections.
    surrey_said: Vec<Reflection>,
    /// Quoted: consents to quotes and to being named; Private: consents to neither.
    quoted: Participant,
    private: Participant,
}

async fn person(store: &Store, version: Uuid, name: &str, quoted: bool) -> Participant {
    store
        .add_participant(
            Some(version),
            NewParticipant {
                organisation: "Sunderland City Council".into(),
                consent_named: quoted,
                consent_quoted: quoted,
                ..common::newcomer(name)
            },
        )
        .await
        .unwrap()
}

async fn say(
    store: &Store,
    clock: &ManualClock,
    session: Uuid,
    who: Option<Uuid>,
    prompt: &str,
    text: &str,
) -> Reflection {
    clock.advance_ms(60_000);
    store
        .save_reflection(ReflectionDraft {
            prompt: prompt.into(),
            ..common::said(session, who, text)
        })
        .await
        .unwrap()
        .unwrap()
}

async fn data() -> Data {
    let (tmp, clock, store) = common::demo_at(common::utc(2027, 1, 27, 10, 0)).await;
    let lct = common::programme_titled(&store, common::LCT).await;
    let sunderland = common::sunderland(&store).await;
    let surrey = common::local_version(&store, common::national_of(&lct), "Surrey").await;
    let sessions = |v| {
        let store = &store;
        async move {
            store
                .sessions_of(v)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.meta.id)
                .collect::<Vec<_>>()
        }
    };
    let sunderland = Place {
        version: sunderland,
        sessions: sessions(sunderland).await,
    };
    let surrey = Place {
        version: surrey,
        sessions: sessions(surrey).await,
    };
    let quoted = person(&store, sunderland.version, "Asha Patel", true).await;
    let private = person(&store, sunderland.version, "Rob Hindmarsh", false).await;
    let prompt = "What gets in the way?";
    let s1 = sunderland.sessions[0];
    let s2 = sunderland.sessions[1];
    let mut said = Vec::new();
    for (session, who, text) in [
        (
            s1,
            Some(quoted.meta.id),
            "Trust is built in small promises kept.",
        ),
        (
            s1,
            Some(private.meta.id),
            "Nobody trusts the budget process.",
        ),
        (
            s1,
            None,
            "Shared power means <b>the budget</b> on the table.",
        ),
        (
            s2,
            Some(quoted.meta.id),
            "We listened to residents at last.",
        ),
    ] {
        said.push(say(&store, &clock, session, who, prompt, text).await);
    }
    let mut surrey_said = Vec::new();
    for text in ["Funding cliffs stop everything.", "Trust takes years."] {
        surrey_said.push(say(&store, &clock, surrey.sessions[0], None, prompt, text).await);
    }
    Data {
        store,
        clock,
        _tmp: tmp,
        programme: lct.programme.meta.id,
        sunderland,
        surrey,
        said,
        surrey_said,
        quoted,
        private,
    }
}

impl Data {
    /// A new theme's id.
    async fn theme(&self, name: &str) -> Uuid {
        self.store.create_theme(name).await.unwrap().meta.id
    }

    /// Tags `reflections` with `theme`.
    async fn tag(&self, theme: Uuid, reflections: &[&Reflection]) {
        self.store
            .tag_reflections(theme, &ids(reflections))
            .await
            .unwrap();
    }
}

/// The reflections tagged with `theme`.
async fn tagged(store: &Store, theme: Uuid) -> SearchResult {
    common::search(
        store,
        SearchQuery {
            theme_id: Some(theme),
            ..Default::default()
        },
    )
    .await
}

fn ids(reflections: &[&Reflection]) -> Vec<Uuid> {
    reflections.iter().map(|r| r.meta.id).collect()
}

async fn count_of(store: &Store, name: &str) -> Option<i64> {
    store
        .themes()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.theme.name == name)
        .map(|t| t.reflections)
}

#[tokio::test]
async fn themes_need_a_name_of_their_own() {
    let d = data().await;
    let trust = d.store.create_theme("  Trust ").await.unwrap();
    assert_eq!(trust.name, "Trust");
    for bad in ["", "   ", &"x".repeat(81)] {
        assert!(d.store.create_theme(bad).await.is_err(), "{bad:?}");
    }
    let again = d.store.create_theme("trust").await.unwrap_err();
    assert!(again.to_string().contains("already a theme"), "{again}");
    let power = d.store.create_theme("Power").await.unwrap();
    assert!(d.store.rename_theme(power.meta.id, "TRUST").await.is_err());
    let renamed = d
        .store
        .rename_theme(power.meta.id, "Shared power")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Shared power");
    let names: Vec<String> = d
        .store
        .themes()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.theme.name)
        .collect();
    // In the order they were made, whatever their names, so their numbers stay put.
    assert_eq!(names, ["Trust", "Shared power"]);
}

#[tokio::test]
async fn many_reflections_are_tagged_at_once_and_untagged() {
    let d = data().await;
    let trust = d.theme("Trust").await;
    let picked = ids(&[&d.said[0], &d.said[1], &d.surrey_said[1]]);
    assert_eq!(d.store.tag_reflections(trust, &picked).await.unwrap(), 3);
    // Tagging again changes nothing.
    assert_eq!(d.store.tag_reflections(trust, &picked).await.unwrap(), 0);
    assert_eq!(count_of(&d.store, "Trust").await, Some(3));
    let found = tagged(&d.store, trust).await;
    assert_eq!(found.total, 3);
    assert!(found
        .hits
        .iter()
        .all(|h| h.themes.iter().any(|t| t.name == "Trust")));
    let untagged = common::search(
        &d.store,
        SearchQuery {
            untagged: true,
            ..Default::default()
        },
    )
    .await;
    assert!(untagged.hits.iter().all(|h| h.themes.is_empty()));
    assert!(!untagged
        .hits
        .iter()
        .any(|h| picked.contains(&h.id.parse().unwrap())));

    assert_eq!(
        d.store
            .untag_reflections(trust, &picked[..1])
            .await
            .unwrap(),
        1
    );
    assert_eq!(count_of(&d.store, "Trust").await, Some(2));
    // Tagging it again brings the same tag back.
    assert_eq!(
        d.store.tag_reflections(trust, &picked[..1]).await.unwrap(),
        1
    );
    assert_eq!(count_of(&d.store, "Trust").await, Some(3));
}

#[tokio::test]
async fn a_batch_with_an_unknown_reflection_tags_nothing() {
    let d = data().await;
    let trust = d.theme("Trust").await;
    let batch = vec![d.said[0].meta.id, Uuid::now_v7()];
    assert!(d.store.tag_reflections(trust, &batch).await.is_err());
    assert_eq!(count_of(&d.store, "Trust").await, Some(0));
    assert!(d.store.tag_reflections(trust, &[]).await.is_err());
    assert!(d
        .store
        .tag_reflections(Uuid::now_v7(), &batch[..1])
        .await
        .is_err());
}

#[tokio::test]
async fn merging_themes_counts_each_reflection_once_under_the_theme_kept() {
    let d = data().await;
    let trust = d.theme("Trust").await;
    let faith = d.theme("Faith in partners").await;
    d.tag(trust, &[&d.said[0], &d.said[1]]).await;
    d.tag(faith, &[&d.said[1], &d.surrey_said[1]]).await;
    assert!(d.store.merge_themes(trust, trust).await.is_err());
    d.store.merge_themes(faith, trust).await.unwrap();
    assert_eq!(count_of(&d.store, "Faith in partners").await, None);
    assert_eq!(count_of(&d.store, "Trust").await, Some(3));
    // The merged theme's id still works: tags and filters go to the theme kept.
    d.tag(faith, &[&d.said[3]]).await;
    assert_eq!(count_of(&d.store, "Trust").await, Some(4));
    let found = tagged(&d.store, trust).await;
    assert_eq!(found.total, 4);
    let shown: Vec<&str> = found.hits[0]
        .themes
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(shown, ["Trust"]);
    // Untagging the kept theme takes off the tags made with the merged one too.
    d.store
        .untag_reflections(trust, &ids(&[&d.said[1]]))
        .await
        .unwrap();
    assert_eq!(count_of(&d.store, "Trust").await, Some(3));
    // A merge can be undone: the theme is back with its own tags.
    // (Its tag on said[1] was taken off with Trust's above; Surrey's is still its own.)
    d.store.unmerge_theme(faith).await.unwrap();
    assert_eq!(count_of(&d.store, "Faith in partners").await, Some(1));
    assert_eq!(count_of(&d.store, "Trust").await, Some(2));
    d.store.merge_themes(faith, trust).await.unwrap();
    // Deleting a theme hides its tags; restoring it brings them back.
    d.store.remove("theme", trust).await.unwrap();
    assert_eq!(count_of(&d.store, "Trust").await, None);
    d.store.restore("theme", trust).await.unwrap();
    assert_eq!(count_of(&d.store, "Trust").await, Some(3));
}

#[tokio::test]
async fn summaries_by_place_and_over_time_and_places_compared() {
    let d = data().await;
    let trust = d.theme("Trust").await;
    let money = d.theme("Money").await;
    let listening = d.theme("Listening").await;
    d.tag(trust, &[&d.said[0], &d.said[1], &d.surrey_said[1]])
        .await;
    d.tag(money, &[&d.surrey_said[0]]).await;
    d.tag(listening, &[&d.said[3]]).await;
    let scope = SummaryScope {
        programme_id: Some(d.programme),
        version_id: None,
    };
    let by_place = d
        .store
        .theme_summary(scope, Breakdown::Place)
        .await
        .unwrap();
    let column = |id: Uuid| {
        by_place
            .columns
            .iter()
            .position(|c| c.id == id.to_string())
            .unwrap()
    };
    let (sunderland, surrey) = (column(d.sunderland.version), column(d.surrey.version));
    assert_eq!(by_place.columns[sunderland].label, "Sunderland");
    assert_eq!(by_place.columns[sunderland].reflections, 4);
    assert_eq!(by_place.rows[0].theme, "Trust");
    assert_eq!(by_place.rows[0].total, 3);
    assert_eq!(by_place.rows[0].counts[sunderland], 2);
    assert_eq!(by_place.rows[0].counts[surrey], 1);

    let compared = d
        .store
        .compare_places(d.sunderland.version, d.surrey.version)
        .await
        .unwrap();
    let names = |list: &[fieldbook_core::themes::ComparedTheme]| {
        list.iter().map(|t| t.theme.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&compared.only_a), ["Listening"]);
    assert_eq!(names(&compared.only_b), ["Money"]);
    assert_eq!(names(&compared.both), ["Trust"]);
    assert_eq!((compared.both[0].a, compared.both[0].b), (2, 1));

    // Over time: Sunderland's sessions in order.
    assert!(d
        .store
        .theme_summary(scope, Breakdown::Session)
        .await
        .is_err());
    let over_time = d
        .store
        .theme_summary(
            SummaryScope {
                programme_id: None,
                version_id: Some(d.sunderland.version),
            },
            Breakdown::Session,
        )
        .await
        .unwrap();
    assert_eq!(over_time.columns.len(), d.sunderland.sessions.len());
    let listening_row = over_time
        .rows
        .iter()
        .find(|r| r.theme == "Listening")
        .unwrap();
    assert_eq!(listening_row.counts[0], 0);
    assert_eq!(listening_row.counts[1], 1);
}

#[tokio::test]
async fn a_reflection_opens_with_the_others_said_to_the_same_prompt() {
    let d = data().await;
    let context = d
        .store
        .reflection_in_context(d.said[0].meta.id)
        .await
        .unwrap();
    assert_eq!(context.reflection.text, d.said[0].text);
    assert_eq!(context.reflection.prompt, "What gets in the way?");
    let others: Vec<&str> = context.others.iter().map(|h| h.text.as_str()).collect();
    // Same session and prompt only: not the second session, not Surrey.
    assert_eq!(others.len(), 2, "{others:?}");
    assert!(others.contains(&d.said[1].text.as_str()));
    assert!(!others.contains(&d.said[3].text.as_str()));
}

#[tokio::test]
async fn the_learning_summary_quotes_only_those_who_agreed() {
    let d = data().await;
    let trust = d.theme("Trust & <honesty>").await;
    d.tag(trust, &[&d.said[0], &d.said[1], &d.said[2]]).await;
    assert!(d
        .store
        .choose_quote(d.said[3].meta.id, trust, true)
        .await
        .is_err());
    for r in &d.said[..3] {
        d.store.choose_quote(r.meta.id, trust, true).await.unwrap();
    }
    let summary = d.store.learning_summary(d.programme).await.unwrap();
    assert_eq!(summary.quotes.len(), 1);
    let quotes = &summary.quotes[0].quotes;
    // Only Asha agreed: Rob did not, and the anonymous one has nobody to agree.
    assert_eq!(quotes.len(), 1);
    assert_eq!(quotes[0].text, d.said[0].text);
    assert_eq!(quotes[0].by, "Asha Patel, Sunderland City Council");
    assert_eq!(quotes[0].place, "Sunderland");
    assert_eq!(summary.withheld, 2);

    let html = learning::render_html(&summary);
    assert!(html.contains("Trust &amp; &lt;honesty&gt;"));
    assert!(html.contains("Trust is built in small promises kept."));
    assert!(!html.contains(&d.said[1].text));
    assert!(!html.contains("Rob Hindmarsh"));
    assert!(!html.contains("<script") && !html.contains("http"));

    let docx = learning::render_docx(&summary).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("summary.docx");
    std::fs::write(&path, &docx).unwrap();
    let text = common::word_text(&path);
    common::assert_all_in(
        &text,
        &[
            "Trust is built in small promises kept.",
            "Asha Patel, Sunderland City Council, Sunderland",
            "Trust & <honesty>",
        ],
        "the learning summary as LibreOffice reads it",
    );
    assert!(!text.contains("Nobody trusts"), "{text}");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut body = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut body)
        .unwrap();
    assert!(body.contains("Trust is built in small promises kept."));
    assert!(body.contains("Trust &amp; &lt;honesty&gt;"));
    assert!(!body.contains("Nobody trusts"));

    // After Asha is erased, her words leave the summary too.
    d.store.erase_participant(d.quoted.meta.id).await.unwrap();
    let summary = d.store.learning_summary(d.programme).await.unwrap();
    assert!(summary.quotes.is_empty());
    assert_eq!(count_of(&d.store, "Trust & <honesty>").await, Some(2));
    let _ = &d.private;
}

async fn laptop(clock: &ManualClock) -> (Store, tempfile::TempDir) {
    let (tmp, store) = common::store_on(clock).await;
    (store, tmp)
}

async fn send(from: &Store, to: &Store) {
    common::send(from, to).await;
}

#[tokio::test]
async fn themes_and_tags_travel_and_a_merge_catches_tags_made_elsewhere() {
    let d = data().await;
    let trust = d.theme("Trust").await;
    let faith = d.theme("Faith").await;
    d.tag(trust, &[&d.said[0]]).await;
    let (other, _tmp) = laptop(&d.clock).await;
    send(&d.store, &other).await;
    assert_eq!(count_of(&other, "Trust").await, Some(1));

    // At the same time: this laptop merges Faith into Trust; the other tags with Faith.
    d.store.merge_themes(faith, trust).await.unwrap();
    other
        .tag_reflections(faith, &ids(&[&d.said[1], &d.surrey_said[1]]))
        .await
        .unwrap();
    send(&other, &d.store).await;
    send(&d.store, &other).await;
    for store in [&d.store, &other] {
        assert_eq!(count_of(store, "Faith").await, None);
        assert_eq!(count_of(store, "Trust").await, Some(3));
    }
    assert_eq!(
        d.store.state_hash().await.unwrap(),
        other.state_hash().await.unwrap()
    );

    // A version's bundle carries its tags and the themes.
    let (third, _tmp3) = laptop(&d.clock).await;
    let bundle = d
        .store
        .export_bundle(BundleScope::Version(d.surrey.version), None)
        .await
        .unwrap();
    third.import_bundles(&[bundle], None, false).await.unwrap();
    assert_eq!(count_of(&third, "Trust").await, Some(1));
}

#[tokio::test]
async fn a_qda_project_codes_merged_themes_as_one_names_only_who_agreed_and_leaves_out_the_erased()
{
    use fieldbook_core::qda::{render_project_qde, QdaScope};
    let d = data().await;
    let trust = d.store.create_theme("Trust").await.unwrap();
    let budget = d.store.create_theme("Budget").await.unwrap();
    d.store
        .tag_reflections(trust.meta.id, &ids(&[&d.said[0], &d.said[1]]))
        .await
        .unwrap();
    d.store
        .tag_reflections(budget.meta.id, &ids(&[&d.said[1], &d.said[2]]))
        .await
        .unwrap();
    d.store
        .merge_themes(budget.meta.id, trust.meta.id)
        .await
        .unwrap();
    // A participant who is erased after their words were coded.
    let gone = person(&d.store, d.sunderland.version, "Erin Gone", true).await;
    let words = say(
        &d.store,
        &d.clock,
        d.sunderland.sessions[0],
        Some(gone.meta.id),
        "What gets in the way?",
        "Secret words of someone erased.",
    )
    .await;
    d.store
        .tag_reflections(trust.meta.id, &[words.meta.id])
        .await
        .unwrap();
    d.store.erase_participant(gone.meta.id).await.unwrap();

    let project = d
        .store
        .gather_qda(QdaScope::Programme(d.programme))
        .await
        .unwrap();
    // Merged themes are one code, and the merged theme's tags count towards it once.
    let codes: Vec<&str> = project.codes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(codes, ["Trust"]);
    let coded = |r: &Reflection| {
        project
            .sources
            .iter()
            .find(|s| s.id == r.meta.id)
            .map(|s| s.codes.clone())
            .unwrap()
    };
    assert_eq!(coded(&d.said[1]), vec![trust.meta.id]);
    assert_eq!(coded(&d.said[2]), vec![trust.meta.id]);
    assert!(coded(&d.said[3]).is_empty());
    // Both places' reflections, and none of the erased participant's.
    assert_eq!(project.sources.len(), d.said.len() + d.surrey_said.len());
    assert!(project.sources.iter().all(|s| s.id != words.meta.id));
    let qde = render_project_qde(&project);
    assert!(!qde.contains("Secret words") && !qde.contains("Erin Gone"));
    // The source says where and to what it was said.
    let first = project
        .sources
        .iter()
        .find(|s| s.id == d.said[0].meta.id)
        .unwrap();
    assert!(first.name.starts_with("Sunderland, "), "{}", first.name);
    assert!(first.description.contains("Prompt: What gets in the way?"));
    // Asha agreed to be named; Rob did not.
    let names: Vec<&str> = project.cases.iter().map(|c| c.name.as_str()).collect();
    // Rob keeps his cohort number (Asha, added first, holds 1 though she is named).
    assert_eq!(names, ["Asha Patel", "Participant 2"]);
    assert!(!qde.contains(&d.private.name));
    assert_eq!(project.cases[1].sector, "Public");
    assert_eq!(project.cases[0].sources.len(), 2);
    // An export with another scope: Surrey alone holds only its reflections.
    let surrey = d
        .store
        .gather_qda(QdaScope::Version(d.surrey.version))
        .await
        .unwrap();
    assert_eq!(surrey.sources.len(), d.surrey_said.len());
    assert!(surrey.cases.is_empty());
}
