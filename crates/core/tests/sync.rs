//! Sync bundles between simulated laptops, each a real SQLite file with its own clock.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use chrono::Duration;
use fieldbook_core::clock::ManualClock;
use fieldbook_core::demo::seed_demo;
use fieldbook_core::domain::*;
use fieldbook_core::sync::{read_bundle, BundleScope, FolderSync, Preview};
use fieldbook_core::Store;
use proptest::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::common::{self, programme, settled};

struct Laptop {
    store: Store,
    clock: ManualClock,
    _tmp: tempfile::TempDir,
}

async fn laptop(skew_days: i64) -> Laptop {
    laptop_hours(skew_days * 24).await
}

/// A laptop with the demo on it.
async fn demo_laptop() -> Laptop {
    let l = laptop(0).await;
    seed_demo(&l.store).await.unwrap();
    l
}

async fn laptop_hours(skew_hours: i64) -> Laptop {
    let (tmp, clock, store) =
        common::store_at(common::utc(2027, 2, 1, 9, 0) + Duration::hours(skew_hours)).await;
    Laptop {
        store,
        clock,
        _tmp: tmp,
    }
}

impl Laptop {
    /// A bundle of everything this laptop holds, not encrypted.
    async fn everything(&self) -> Vec<u8> {
        self.store
            .export_bundle(BundleScope::Everything, None)
            .await
            .unwrap()
    }

    /// Imports unencrypted bundles for real (not a dry run).
    async fn import(&self, bundles: &[Vec<u8>]) -> Preview {
        self.store
            .import_bundles(bundles, None, false)
            .await
            .unwrap()
    }

    /// Both laptops send everything they hold, then each imports what the other sent; the
    /// previews of the import here and of the import on `other`.
    async fn exchange(&self, other: &Laptop) -> (Preview, Preview) {
        let (here, there) = (self.everything().await, other.everything().await);
        (self.import(&[there]).await, other.import(&[here]).await)
    }

    /// Imports everything `other` holds.
    async fn take(&self, other: &Laptop) -> Preview {
        common::send(&other.store, &self.store).await
    }

    /// Syncs through `folder`, unencrypted.
    async fn sync(&self, folder: &Path) -> FolderSync {
        self.store.sync_folder(folder, None).await.unwrap()
    }

    async fn hash(&self) -> String {
        self.store.state_hash().await.unwrap()
    }
}

/// The two laptops hold the same records, to the byte.
async fn assert_same(a: &Laptop, b: &Laptop) {
    assert_eq!(a.hash().await, b.hash().await);
}

async fn rename(l: &Laptop, id: Uuid, title: &str) {
    l.store
        .update("programme", id, common::patch(json!({ "title": title })))
        .await
        .unwrap();
}

/// The database file's bytes, with the write-ahead log folded in first.
async fn file_bytes(store: &Store) -> Vec<u8> {
    common::checkpointed_bytes(store.path()).await
}

#[tokio::test]
async fn a_bundle_carries_everything_and_importing_it_twice_changes_nothing() {
    let a = demo_laptop().await;
    let b = laptop(0).await;
    let bundle = a.everything().await;
    let first = b.import(std::slice::from_ref(&bundle)).await;
    assert!(first.adds > 50, "{first:?}");
    assert_eq!(first.new_versions, first.versions);
    assert_same(&a, &b).await;
    assert_eq!(
        a.store.counts().await.unwrap(),
        b.store.counts().await.unwrap()
    );

    let hash = b.hash().await;
    let again = b.import(&[bundle]).await;
    assert_eq!((again.new_versions, again.adds, again.updates), (0, 0, 0));
    assert_eq!(b.hash().await, hash);
}

#[tokio::test]
async fn a_dry_run_previews_and_writes_nothing() {
    let a = demo_laptop().await;
    let b = laptop(0).await;
    let before = file_bytes(&b.store).await;
    let bundle = a.everything().await;
    let preview = b.store.import_bundles(&[bundle], None, true).await.unwrap();
    assert!(preview.adds > 50);
    assert_eq!(file_bytes(&b.store).await, before);
    assert_eq!(b.store.counts().await.unwrap()["programme"], 0);
}

#[tokio::test]
async fn concurrent_edits_keep_the_loser_as_a_conflict_until_settled_everywhere() {
    // B's clock runs twenty hours behind A's.
    let (a, b) = (laptop(0).await, laptop_hours(-20).await);
    let mut p = programme("Leading Change Together");
    a.store.save(&mut p).await.unwrap();
    b.take(&a).await;
    rename(&a, p.meta.id, "Leading Change Together (2027)").await;
    b.clock.advance_ms(1000);
    rename(&b, p.meta.id, "Leading Change Together: North East").await;

    let (at_a, _) = a.exchange(&b).await;
    assert_eq!(at_a.conflicts, 1);
    assert_same(&a, &b).await;

    // One winner everywhere; the other version is shown, not lost.
    let conflicts = a.store.conflicts().await.unwrap();
    assert_eq!(conflicts.len(), 1);
    let titles: HashSet<String> = std::iter::once(&conflicts[0].winner)
        .chain(&conflicts[0].losers)
        .map(|v| v["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        titles,
        HashSet::from([
            "Leading Change Together (2027)".to_owned(),
            "Leading Change Together: North East".to_owned()
        ])
    );

    // Settled on B by keeping the version that lost; A takes the settlement.
    let loser = conflicts[0].losers[0].clone();
    b.store
        .resolve_conflict(p.meta.id, loser.clone())
        .await
        .unwrap();
    assert!(b.store.conflicts().await.unwrap().is_empty());
    a.take(&b).await;
    assert!(a.store.conflicts().await.unwrap().is_empty());
    let kept: Programme = a.store.get(p.meta.id).await.unwrap();
    assert_eq!(kept.title, loser["title"].as_str().unwrap());
    assert_same(&a, &b).await;
}

#[tokio::test]
async fn a_delete_sticks_and_the_concurrent_edit_is_kept_as_a_conflict() {
    let (a, b) = (laptop(0).await, laptop_hours(20).await);
    let mut p = programme("To be retired");
    a.store.save(&mut p).await.unwrap();
    b.take(&a).await;
    a.store.delete::<Programme>(p.meta.id).await.unwrap();
    // B's clock is hours ahead: its edit has the later stamp, and still does not undo the delete.
    rename(&b, p.meta.id, "Still wanted").await;
    let (at_b, _) = b.exchange(&a).await;
    assert_eq!(at_b.deletes, 1);
    for l in [&a, &b] {
        assert!(
            l.store.get::<Programme>(p.meta.id).await.is_err(),
            "deleted everywhere"
        );
        let conflicts = l.store.conflicts().await.unwrap();
        assert_eq!(conflicts[0].losers[0]["title"], "Still wanted");
    }
}

#[tokio::test]
async fn a_version_bundle_carries_what_it_refers_to_and_absence_never_deletes() {
    let a = demo_laptop().await;
    let sunderland = common::version_at(&a.store, "Sunderland").await;
    let b = laptop(0).await;
    let everything = a.everything().await;
    b.import(&[everything]).await;
    let c = laptop(0).await;
    let only = a
        .store
        .export_bundle(BundleScope::Version(sunderland.meta.id), None)
        .await
        .unwrap();
    c.import(std::slice::from_ref(&only)).await;
    assert_eq!(c.store.counts().await.unwrap()["programme"], 1);
    assert!(
        c.store
            .version_detail(sunderland.meta.id)
            .await
            .unwrap()
            .sessions
            .len()
            == 4
    );
    // B has everything; a bundle with less deletes nothing.
    let before = b.store.counts().await.unwrap();
    let preview = b.import(&[only]).await;
    assert_eq!((preview.deletes, preview.new_versions), (0, 0));
    assert_eq!(b.store.counts().await.unwrap(), before);
}

#[test]
fn a_bundle_asking_for_gigabytes_to_open_is_refused_at_once() {
    // Found by fuzzing: the encrypted seed with its scrypt work factor raised from 19 to
    // 22. It used to cost 17 s and 4 GB before it could be refused.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/findings/scrypt-work-factor-22.fieldbook");
    let bytes = std::fs::read(path).unwrap();
    let err = read_bundle(&bytes, Some("a passphrase"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("far more memory and time"), "{err}");
    assert!(err.ends_with("Nothing has been changed."), "{err}");
}

#[tokio::test]
async fn a_passphrase_protects_a_bundle_and_a_wrong_one_says_so() {
    let a = laptop(0).await;
    let mut p = programme("Commissioning with Communities");
    a.store.save(&mut p).await.unwrap();
    let bundle = a
        .store
        .export_bundle(BundleScope::Everything, Some("kittiwake harbour"))
        .await
        .unwrap();
    common::assert_none_in(&bundle, &["Commissioning"], "the encrypted bundle");
    // The work factor is fixed, not measured, so a slow laptop opens it as fast as any.
    let header = String::from_utf8_lossy(&bundle[..200]).to_string();
    let scrypt_line = header
        .lines()
        .find(|l| l.starts_with("-> scrypt "))
        .unwrap();
    assert!(scrypt_line.ends_with(" 18"), "{scrypt_line}");
    let b = laptop(0).await;
    let before = file_bytes(&b.store).await;
    let err = b
        .store
        .import_bundles(std::slice::from_ref(&bundle), Some("kittiwake"), false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("That passphrase does not open this bundle"),
        "{err}"
    );
    let err = b
        .store
        .import_bundles(std::slice::from_ref(&bundle), None, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("protected with a passphrase"), "{err}");
    assert_eq!(file_bytes(&b.store).await, before);
    b.store
        .import_bundles(&[bundle], Some("kittiwake harbour"), false)
        .await
        .unwrap();
    assert_eq!(
        b.store.get::<Programme>(p.meta.id).await.unwrap().title,
        "Commissioning with Communities"
    );
}

/// A zip with the given entries, for bundles no Fieldbook would write.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn entries_of(bundle: &[u8]) -> (serde_json::Value, Vec<u8>) {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bundle)).unwrap();
    let mut read = |name: &str| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(name).unwrap(), &mut bytes).unwrap();
        bytes
    };
    let manifest = serde_json::from_slice(&read("manifest.json")).unwrap();
    (manifest, read("changes.jsonl"))
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Rebuilds a bundle from a manifest and changes, with the manifest's checksum made right.
fn rebuild(mut manifest: serde_json::Value, changes: &[u8]) -> Vec<u8> {
    manifest["entries"]["changes.jsonl"] =
        json!({ "sha256": sha(changes), "bytes": changes.len() });
    zip_of(&[
        ("manifest.json", &serde_json::to_vec(&manifest).unwrap()),
        ("changes.jsonl", changes),
    ])
}

#[tokio::test]
async fn no_malformed_bundle_can_change_a_database() {
    let a = laptop(0).await;
    let mut p = programme("Leading Change Together");
    a.store.save(&mut p).await.unwrap();
    rename(&a, p.meta.id, "Leading Change Together, renamed").await;
    let good = a.everything().await;
    let (manifest, changes) = entries_of(&good);
    let good_versions: HashSet<_> = read_bundle(&good, None)
        .unwrap()
        .1
        .into_iter()
        .map(|c| (c.record_id, c.stamp))
        .collect();

    let b = laptop(0).await;
    let mut other = programme("Already here");
    b.store.save(&mut other).await.unwrap();
    let before = file_bytes(&b.store).await;
    let refused = |result: fieldbook_core::Result<fieldbook_core::sync::Preview>, what: &str| {
        let err = result
            .err()
            .unwrap_or_else(|| panic!("{what} was imported"))
            .to_string();
        assert!(
            !err.is_empty() && !err.contains("panicked"),
            "{what}: {err}"
        );
        err
    };

    // Cut short at every byte.
    for cut in 0..good.len() {
        refused(
            b.store
                .import_bundles(&[good[..cut].to_vec()], None, false)
                .await,
            &format!("cut at {cut}"),
        );
    }
    // A flipped bit anywhere is refused, or (in bytes a zip does not check) reads exactly
    // the good bundle's versions.
    for at in 0..good.len() {
        let mut flipped = good.clone();
        flipped[at] ^= 0x10;
        match read_bundle(&flipped, None) {
            Err(e) => assert!(!e.to_string().is_empty()),
            Ok((_, got)) => {
                let got: HashSet<_> = got.into_iter().map(|c| (c.record_id, c.stamp)).collect();
                assert_eq!(
                    got, good_versions,
                    "a flip at {at} changed the content and was accepted"
                );
            }
        }
    }

    let mut bad = Vec::new();
    let mut wrong_sum = manifest.clone();
    wrong_sum["entries"]["changes.jsonl"]["sha256"] = json!("0".repeat(64));
    bad.push((
        "wrong checksum",
        zip_of(&[
            ("manifest.json", &serde_json::to_vec(&wrong_sum).unwrap()),
            ("changes.jsonl", &changes),
        ]),
    ));
    let mut newer = manifest.clone();
    newer["schema_version"] = json!(9999);
    bad.push(("newer schema", rebuild(newer, &changes)));
    let line = changes.split(|b| *b == b'\n').next().unwrap().to_vec();
    let mut doubled = changes.clone();
    doubled.extend_from_slice(&line);
    doubled.push(b'\n');
    let mut doubled_manifest = manifest.clone();
    doubled_manifest["counts"]["programme"] = json!(3);
    bad.push(("duplicate versions", rebuild(doubled_manifest, &doubled)));
    bad.push((
        "a ../ entry name",
        zip_of(&[
            ("manifest.json", &serde_json::to_vec(&manifest).unwrap()),
            ("changes.jsonl", &changes),
            ("../evil", b"x"),
        ]),
    ));
    bad.push((
        "only a ../ entry",
        zip_of(&[
            ("../manifest.json", &serde_json::to_vec(&manifest).unwrap()),
            ("changes.jsonl", &changes),
        ]),
    ));
    // A zip bomb: 300 MB of zeros that compress to almost nothing, declared small.
    let zeros = vec![0u8; 300 * 1024 * 1024];
    let mut bomb_manifest = manifest.clone();
    bomb_manifest["entries"]["changes.jsonl"] =
        json!({ "sha256": sha(&changes), "bytes": changes.len() });
    bad.push((
        "a zip bomb",
        zip_of(&[
            (
                "manifest.json",
                &serde_json::to_vec(&bomb_manifest).unwrap(),
            ),
            ("changes.jsonl", &zeros),
        ]),
    ));
    drop(zeros);
    // The changes with their first `from` made `to`.
    for (what, from, to) in [
        (
            "an unknown kind",
            "\"kind\":\"programme\"",
            "\"kind\":\"spaceship\"",
        ),
        (
            "an unknown field",
            "\"summary\":",
            "\"sneaky\":1,\"summary\":",
        ),
    ] {
        let edited = String::from_utf8(changes.clone())
            .unwrap()
            .replacen(from, to, 1);
        bad.push((what, rebuild(manifest.clone(), edited.as_bytes())));
    }
    bad.push(("not a zip", b"PK\x03\x04 but not really".to_vec()));
    bad.push(("empty", Vec::new()));

    for (what, bundle) in bad {
        let err = refused(b.store.import_bundles(&[bundle], None, false).await, what);
        if what == "newer schema" {
            assert!(err.contains("Update Fieldbook"), "{err}");
        }
    }
    // A laptop that already has a version refuses a different record under the same stamp.
    let c = laptop(0).await;
    c.import(std::slice::from_ref(&good)).await;
    let has = file_bytes(&c.store).await;
    let tampered = String::from_utf8(changes.clone())
        .unwrap()
        .replace("renamed", "tampered");
    let err = refused(
        c.store
            .import_bundles(
                &[rebuild(manifest.clone(), tampered.as_bytes())],
                None,
                false,
            )
            .await,
        "a record changed under its stamp",
    );
    assert!(err.contains("same stamp"), "{err}");
    assert_eq!(file_bytes(&c.store).await, has);

    // A good bundle together with a bad one: all or nothing.
    refused(
        b.store
            .import_bundles(&[good.clone(), b"nonsense".to_vec()], None, false)
            .await,
        "good with bad",
    );

    assert_eq!(
        file_bytes(&b.store).await,
        before,
        "a refused bundle changed the database"
    );
    assert!(
        !Path::new(b.store.path())
            .parent()
            .unwrap()
            .join("backups")
            .exists(),
        "no backup for a refused bundle"
    );
}

#[derive(Debug, Clone)]
enum Step {
    Create {
        laptop: usize,
    },
    Person {
        laptop: usize,
    },
    Erase {
        laptop: usize,
        which: usize,
    },
    Rename {
        laptop: usize,
        which: usize,
    },
    Delete {
        laptop: usize,
        which: usize,
    },
    Clock {
        laptop: usize,
        minutes: i64,
    },
    Export {
        laptop: usize,
    },
    Import {
        laptop: usize,
        bundle: usize,
        twice: bool,
    },
}

fn step(laptops: usize) -> impl Strategy<Value = Step> {
    let l = 0..laptops;
    prop_oneof![
        3 => l.clone().prop_map(|laptop| Step::Create { laptop }),
        2 => l.clone().prop_map(|laptop| Step::Person { laptop }),
        1 => (l.clone(), 0usize..8).prop_map(|(laptop, which)| Step::Erase { laptop, which }),
        4 => (l.clone(), 0usize..8).prop_map(|(laptop, which)| Step::Rename { laptop, which }),
        1 => (l.clone(), 0usize..8).prop_map(|(laptop, which)| Step::Delete { laptop, which }),
        2 => (l.clone(), -3000i64..3000).prop_map(|(laptop, minutes)| Step::Clock { laptop, minutes }),
        2 => l.clone().prop_map(|laptop| Step::Export { laptop }),
        3 => (l, 0usize..16, any::<bool>()).prop_map(|(laptop, bundle, twice)| Step::Import { laptop, bundle, twice }),
    ]
}

fn scenario() -> impl Strategy<Value = (Vec<i64>, Vec<Step>, Vec<usize>)> {
    (2usize..=4).prop_flat_map(|n| {
        (
            proptest::collection::vec(-72i64..72, n),
            proptest::collection::vec(step(n), 5..40),
            Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        )
    })
}

async fn run_scenario(skews: Vec<i64>, steps: Vec<Step>, order: Vec<usize>) {
    let mut laptops = Vec::new();
    for hours in &skews {
        laptops.push(laptop_hours(*hours).await);
    }
    let mut bundles: Vec<Vec<u8>> = Vec::new();
    let mut made: HashSet<(Uuid, fieldbook_core::clock::Stamp)> = HashSet::new();
    let mut erased_names: Vec<String> = Vec::new();
    let mut counter = 0;
    for s in steps {
        match s {
            Step::Create { laptop } => {
                counter += 1;
                let mut p = programme(&format!("Programme {counter}"));
                laptops[laptop].store.save(&mut p).await.unwrap();
            }
            Step::Person { laptop } => {
                counter += 1;
                let form: fieldbook_core::day::NewParticipant = serde_json::from_value(json!({
                    "name": format!("Person{counter}Zq"), "organisation": format!("Org{counter}Zq")
                }))
                .unwrap();
                laptops[laptop]
                    .store
                    .add_participant(None, form)
                    .await
                    .unwrap();
            }
            Step::Erase { laptop, which } => {
                let l = &laptops[laptop];
                let live: Vec<Participant> = l.store.list("1 ORDER BY id", &[]).await.unwrap();
                if live.is_empty() {
                    continue;
                }
                let target = &live[which % live.len()];
                erased_names.push(target.name.clone());
                l.store.erase_participant(target.meta.id).await.unwrap();
            }
            Step::Rename { laptop, which } | Step::Delete { laptop, which } => {
                let l = &laptops[laptop];
                let live: Vec<Programme> = l.store.list("1 ORDER BY id", &[]).await.unwrap();
                if live.is_empty() {
                    continue;
                }
                let target = live[which % live.len()].meta.id;
                counter += 1;
                if matches!(s, Step::Delete { .. }) {
                    l.store.delete::<Programme>(target).await.unwrap();
                } else {
                    rename(l, target, &format!("Renamed {counter}")).await;
                }
            }
            Step::Clock { laptop, minutes } => laptops[laptop].clock.advance_ms(minutes * 60_000),
            Step::Export { laptop } => bundles.push(
                laptops[laptop]
                    .store
                    .export_bundle(BundleScope::Everything, None)
                    .await
                    .unwrap(),
            ),
            Step::Import {
                laptop,
                bundle,
                twice,
            } => {
                if bundles.is_empty() {
                    continue;
                }
                let b = bundles[bundle % bundles.len()].clone();
                let times = if twice { 2 } else { 1 };
                for _ in 0..times {
                    // Clocks days apart never stop a bundle (docs/sync.md: wrong clocks).
                    laptops[laptop]
                        .store
                        .import_bundles(std::slice::from_ref(&b), None, false)
                        .await
                        .unwrap();
                }
            }
        }
    }
    for l in &laptops {
        made.extend(l.store.all_versions().await.unwrap());
    }
    // Finally every laptop sees every other's bundle, in a shuffled order, clocks as they are.
    let mut finals = Vec::new();
    for l in &laptops {
        finals.push(l.everything().await);
    }
    for (n, l) in laptops.iter().enumerate() {
        for &i in order.iter().cycle().skip(n).take(order.len()) {
            l.import(&[finals[i].clone()]).await;
        }
    }
    let hashes: HashSet<String> = {
        let mut h = HashSet::new();
        for l in &laptops {
            h.insert(l.hash().await);
        }
        h
    };
    assert_eq!(hashes.len(), 1, "laptops that saw the same bundles differ");
    for l in &laptops {
        assert_eq!(
            l.store.all_versions().await.unwrap(),
            made,
            "a version was lost"
        );
        // Erasure wins everywhere, and leaves nothing of the person in the file.
        let bytes = file_bytes(&l.store).await;
        common::assert_none_in(&bytes, &erased_names, "a database file");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 64, .. ProptestConfig::default() })]

    /// 2 to 4 laptops with clocks days apart (and going backwards), random creates, edits,
    /// deletes and erasures, bundles exchanged in random order and some twice: once every
    /// laptop has seen every bundle, all hold the same state, every version ever made, and
    /// nothing of anyone erased.
    #[test]
    fn laptops_that_saw_the_same_bundles_agree_and_lose_nothing((skews, steps, order) in scenario()) {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
            .block_on(run_scenario(skews, steps, order));
    }
}

#[tokio::test]
async fn an_erasure_reaches_every_laptop_even_one_that_edited_the_reflection_meanwhile() {
    let (a, b, c) = (demo_laptop().await, laptop(0).await, laptop(0).await);
    let sunderland = common::sunderland(&a.store).await;
    let session = common::first_session(&a.store, sunderland).await;
    let form: fieldbook_core::day::NewParticipant = serde_json::from_value(json!({
        "name": "Zebedee Quartermain", "organisation": "Wearside Quakers", "consent_named": true, "consent_quoted": true
    })).unwrap();
    let person = a
        .store
        .add_participant(Some(sunderland), form)
        .await
        .unwrap();
    let draft = |id: Option<Uuid>, text: &str| fieldbook_core::day::ReflectionDraft {
        id,
        ..common::said(session, Some(person.meta.id), text)
    };
    let reflection = a
        .store
        .save_reflection(draft(None, "The xylophone of services never plays in tune"))
        .await
        .unwrap()
        .unwrap();
    let everything = a.everything().await;
    for l in [&b, &c] {
        l.import(std::slice::from_ref(&everything)).await;
    }
    // B edits the reflection while A erases the participant.
    b.clock.advance_ms(1000);
    b.store
        .save_reflection(draft(
            Some(reflection.meta.id),
            "The xylophone of services, edited with marmalade",
        ))
        .await
        .unwrap();
    a.clock.advance_ms(500);
    a.store.erase_participant(person.meta.id).await.unwrap();

    let (from_a, from_b) = (a.everything().await, b.everything().await);
    // C hears from B first (the edit), then A (the erasure); B and A hear from each other.
    c.import(std::slice::from_ref(&from_b)).await;
    c.import(std::slice::from_ref(&from_a)).await;
    b.import(std::slice::from_ref(&from_a)).await;
    a.import(std::slice::from_ref(&from_b)).await;

    for l in [&a, &b, &c] {
        let bytes = file_bytes(&l.store).await;
        common::assert_none_in(
            &bytes,
            &[
                "Zebedee",
                "Quartermain",
                "Wearside Quakers",
                "xylophone",
                "marmalade",
            ],
            "a database file",
        );
        assert!(l.store.reflections_of(session).await.unwrap().is_empty());
        assert!(l
            .store
            .cohort(sunderland)
            .await
            .unwrap()
            .iter()
            .all(|p| p.meta.id != person.meta.id));
    }
    assert_same(&a, &b).await;
    assert_same(&b, &c).await;
}

/// A valid bundle, made once for the mutation test below.
fn small_bundle() -> &'static [u8] {
    static BUNDLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BUNDLE.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let a = laptop(0).await;
                let mut p = programme("Leading Change Together");
                a.store.save(&mut p).await.unwrap();
                rename(&a, p.meta.id, "Leading Change Together, renamed").await;
                a.everything().await
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    /// The test command's quick stand-in for the fuzz targets (`make fuzz`): random bytes,
    /// and a valid bundle with random spans overwritten, cut out or inserted, are refused with
    /// a message or read whole, never a panic.
    #[test]
    fn the_bundle_reader_never_panics_on_mangled_input(
        random in proptest::collection::vec(any::<u8>(), 0..512),
        at in any::<proptest::sample::Index>(),
        span in 1usize..64,
        filler in proptest::collection::vec(any::<u8>(), 1..64),
        how in 0u8..3,
    ) {
        let _ = read_bundle(&random, None);
        let mut bytes = small_bundle().to_vec();
        let start = at.index(bytes.len());
        let end = (start + span).min(bytes.len());
        match how {
            0 => { for (i, b) in (start..end).zip(filler.iter().cycle()) { bytes[i] = *b; } }
            1 => { bytes.drain(start..end); }
            _ => { bytes.splice(start..start, filler); }
        }
        if let Err(e) = read_bundle(&bytes, None) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

// The sync folder: segments, skipped files, identities, demo content and wrong clocks.

fn names_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn backups_of(l: &Laptop) -> usize {
    std::fs::read_dir(l.store.path().parent().unwrap().join("backups"))
        .map(|d| d.count())
        .unwrap_or(0)
}

async fn sync_both(folder: &Path, a: &Laptop, b: &Laptop) {
    a.sync(folder).await;
    b.sync(folder).await;
    a.sync(folder).await;
}

#[tokio::test]
async fn two_laptops_that_each_seeded_the_demo_hold_one_copy_after_syncing() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = (laptop(0).await, laptop(1).await);
    seed_demo(&a.store).await.unwrap();
    seed_demo(&b.store).await.unwrap();
    let one_laptop = a.store.counts().await.unwrap();
    sync_both(folder.path(), &a, &b).await;
    assert_eq!(
        a.store.counts().await.unwrap(),
        one_laptop,
        "the demo doubled"
    );
    assert_eq!(b.store.counts().await.unwrap(), one_laptop);
    assert!(a.store.conflicts().await.unwrap().is_empty());
    assert_same(&a, &b).await;
}

#[tokio::test]
async fn a_laptop_that_deleted_the_demo_keeps_it_deleted_after_syncing_with_one_that_did_not() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = (demo_laptop().await, laptop(0).await);
    seed_demo(&b.store).await.unwrap();
    let demo: Vec<Programme> = a.store.list("1", &[]).await.unwrap();
    for p in &demo {
        a.store.delete::<Programme>(p.meta.id).await.unwrap();
    }
    sync_both(folder.path(), &a, &b).await;
    for l in [&a, &b] {
        let left: Vec<Programme> = l.store.list("1", &[]).await.unwrap();
        assert!(left.is_empty(), "{left:?}");
    }
}

#[tokio::test]
async fn each_sync_writes_only_what_is_new_and_a_sync_with_nothing_new_reads_and_writes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = (demo_laptop().await, laptop(0).await);
    let first = a.sync(folder.path()).await;
    assert!(first.written_changes > 50, "{first:?}");
    b.sync(folder.path()).await;

    let mut p = programme("Added later");
    a.store.save(&mut p).await.unwrap();
    let second = a.sync(folder.path()).await;
    assert_eq!(second.written_changes, 1, "only the new programme");
    assert_eq!(second.written.len(), 1);

    let report = b.sync(folder.path()).await;
    assert_eq!(
        report.merged, second.written,
        "only the new segment is read"
    );
    assert_eq!(report.preview.adds, 1);
    assert!(report.written.is_empty(), "b wrote back nothing it merged");

    let files = names_in(folder.path());
    let backups = backups_of(&b);
    let quiet = b.sync(folder.path()).await;
    assert!(
        quiet.merged.is_empty() && quiet.written.is_empty(),
        "{quiet:?}"
    );
    assert_eq!(names_in(folder.path()), files);
    assert_eq!(backups_of(&b), backups, "no backup when nothing is new");
    assert_same(&a, &b).await;
}

#[tokio::test]
async fn a_damaged_file_is_skipped_and_named_while_the_rest_merges() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = (demo_laptop().await, laptop(0).await);
    let written = a.sync(folder.path()).await;
    let good = folder.path().join(&written.written[0]);
    let bytes = std::fs::read(&good).unwrap();
    // A cut-short copy of a bundle, an unrelated file, a file from a newer Fieldbook can all
    // turn up; and sync services leave temporary files and placeholders.
    let cut = folder.path().join("fieldbook-2027-01-01.fieldbook");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    settled(&cut);
    let arriving = folder.path().join("from-usb.fieldbook");
    std::fs::write(&arriving, &bytes[..100]).unwrap();
    std::fs::write(folder.path().join("placeholder.fieldbook"), b"").unwrap();
    std::fs::write(folder.path().join(".syncthing.x.fbseg.tmp"), b"garbage").unwrap();
    std::fs::write(folder.path().join("~syncthing~y.fbseg.tmp"), b"garbage").unwrap();

    let report = b.sync(folder.path()).await;
    assert_eq!(report.merged, written.written);
    assert!(report.preview.adds > 50);
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert_eq!(report.skipped[0].file, "fieldbook-2027-01-01.fieldbook");
    assert!(
        report.skipped[0].reason.contains("damaged or cut short"),
        "{report:?}"
    );
    assert_eq!(
        report.waiting,
        vec![
            "from-usb.fieldbook".to_owned(),
            "placeholder.fieldbook".to_owned()
        ],
        "a file changed moments ago and an empty one may still be arriving"
    );
    assert_eq!(
        a.store.counts().await.unwrap(),
        b.store.counts().await.unwrap()
    );
    // Still named at the next sync, and still not in the way.
    let again = b.sync(folder.path()).await;
    assert_eq!(again.skipped, report.skipped);
    // Once the file is whole it is merged like any other.
    std::fs::write(&cut, &bytes).unwrap();
    let whole = b.sync(folder.path()).await;
    assert!(whole.skipped.is_empty(), "{whole:?}");
    assert!(whole
        .merged
        .contains(&"fieldbook-2027-01-01.fieldbook".to_owned()));
}

#[tokio::test]
async fn a_segment_that_arrives_before_the_one_it_builds_on_waits_for_it() {
    // a's folder, and b's copy of it, which a sync service fills in its own order.
    let (folder_a, folder_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (laptop(0).await, laptop(0).await);
    let session = a
        .store
        .create_session(None, "A session of its own")
        .await
        .unwrap();
    let first = a.sync(folder_a.path()).await;
    // The agenda item belongs to the session, which is only in the first segment.
    a.store
        .add_agenda_item(session.meta.id, None, "Welcome", 10, ItemKind::Plenary)
        .await
        .unwrap();
    let second = a.sync(folder_a.path()).await;
    assert_eq!(second.written_changes, 1, "only what is new");
    let copy = |name: &String| {
        std::fs::copy(folder_a.path().join(name), folder_b.path().join(name)).unwrap();
    };
    copy(&second.written[0]);
    let early = b.sync(folder_b.path()).await;
    assert!(early.merged.is_empty(), "{early:?}");
    assert!(early.skipped[0].reason.contains("next sync"), "{early:?}");
    copy(&first.written[0]);
    let later = b.sync(folder_b.path()).await;
    assert_eq!(later.merged.len(), 2, "{later:?}");
    assert!(later.skipped.is_empty(), "{later:?}");
    assert_same(&a, &b).await;
}

#[tokio::test]
async fn a_laptop_restored_from_anothers_backup_syncs_beside_it_with_nothing_lost() {
    let folder = tempfile::tempdir().unwrap();
    let a = demo_laptop().await;
    a.sync(folder.path()).await;
    let backup = tempfile::tempdir().unwrap();
    let file = backup.path().join("a.db");
    a.store.backup_to(&file).await.unwrap();

    // C is set up from A's backup.
    let c_dir = tempfile::tempdir().unwrap();
    fieldbook_core::backup::restore(c_dir.path(), &file)
        .await
        .unwrap();
    let c = Store::open_with_clock(c_dir.path(), Arc::new(a.clock.clone()))
        .await
        .unwrap();
    assert_ne!(
        c.device_id(),
        a.store.device_id(),
        "a restored laptop is a new laptop"
    );
    // Restoring the same database in its own folder again also gives a new identity, so
    // segments it writes can never be taken for the ones it wrote before.
    let reopened_a = a.store.device_id();

    let a_files = names_in(folder.path());
    for n in 0..20 {
        let mut p = programme(&format!("C's programme {n}"));
        c.save(&mut p).await.unwrap();
    }
    let mut q = programme("A's programme");
    a.store.save(&mut q).await.unwrap();
    c.sync_folder(folder.path(), None).await.unwrap();
    a.sync(folder.path()).await;
    c.sync_folder(folder.path(), None).await.unwrap();
    for name in &a_files {
        let still = names_in(folder.path());
        assert!(still.contains(name), "{name} was replaced or removed");
    }
    assert_eq!(a.store.device_id(), reopened_a);
    assert_eq!(a.hash().await, c.state_hash().await.unwrap());
    let programmes: Vec<Programme> = a
        .store
        .list("title LIKE 'C''s programme%'", &[])
        .await
        .unwrap();
    assert_eq!(programmes.len(), 20, "C's work reached A");
}

#[tokio::test]
async fn a_database_copied_to_another_folder_takes_a_new_identity_and_keeps_its_history() {
    let a = laptop(0).await;
    let mut p = programme("Kept");
    a.store.save(&mut p).await.unwrap();
    let id = a.store.device_id();
    let copy = tempfile::tempdir().unwrap();
    a.store
        .backup_to(&copy.path().join("fieldbook.db"))
        .await
        .unwrap();
    let moved = Store::open(copy.path()).await.unwrap();
    assert_ne!(moved.device_id(), id);
    assert_eq!(
        moved.get::<Programme>(p.meta.id).await.unwrap().title,
        "Kept"
    );
    let same = Store::open(a.store.path().parent().unwrap()).await.unwrap();
    assert_eq!(
        same.device_id(),
        id,
        "reopening in place keeps the identity"
    );
}

#[tokio::test]
async fn clocks_days_or_a_year_out_never_stop_a_sync_and_the_laptop_is_named() {
    let year = 365;
    for (ahead_days, behind_days) in [(2, 0), (year, 0), (0, 2)] {
        let folder = tempfile::tempdir().unwrap();
        let fast = laptop(ahead_days).await;
        let slow = laptop(-behind_days).await;
        let mut p = programme("From the fast laptop");
        fast.store.save(&mut p).await.unwrap();
        let mut q = programme("From the slow laptop");
        slow.store.save(&mut q).await.unwrap();
        fast.sync(folder.path()).await;
        let report = slow.sync(folder.path()).await;
        assert_eq!(
            report.preview.adds, 1,
            "{ahead_days} {behind_days}: {report:?}"
        );
        assert_eq!(report.clocks.len(), 1, "{report:?}");
        assert!(report.clocks[0].message.contains("ahead"), "{report:?}");
        fast.sync(folder.path()).await;
        assert_same(&fast, &slow).await;
        // The slow laptop edits what the fast one wrote: its edit comes after it and wins,
        // though its clock is behind; and its own clock was not dragged a year ahead.
        rename(&slow, p.meta.id, "Edited on the slow laptop").await;
        let edited: Programme = slow.store.get(p.meta.id).await.unwrap();
        assert!(
            edited.meta.stamp.unwrap()
                > fast
                    .store
                    .get::<Programme>(p.meta.id)
                    .await
                    .unwrap()
                    .meta
                    .stamp
                    .unwrap()
        );
        let mut later = programme("Later on the slow laptop");
        slow.store.save(&mut later).await.unwrap();
        let slow_now = fieldbook_core::clock::Clock::now_ms(&slow.clock);
        assert!(
            later.meta.stamp.unwrap().ms <= slow_now + fieldbook_core::clock::MAX_DRIFT_MS,
            "a laptop a year ahead dragged this one's clock along"
        );
        slow.sync(folder.path()).await;
        fast.sync(folder.path()).await;
        let there: Programme = fast.store.get(p.meta.id).await.unwrap();
        assert_eq!(there.title, "Edited on the slow laptop");
    }
}

#[tokio::test]
async fn a_clock_put_back_after_running_ahead_stamps_from_the_right_time_again() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = (laptop(0).await, laptop(0).await);
    let right = fieldbook_core::clock::Clock::now(&a.clock);
    a.clock.set(right + Duration::days(365));
    let mut p = programme("Written while the clock was a year ahead");
    a.store.save(&mut p).await.unwrap();
    a.clock.set(right + Duration::hours(1));
    let mut q = programme("Written after the clock was put right");
    a.store.save(&mut q).await.unwrap();
    assert_eq!(
        q.meta.stamp.unwrap().ms,
        (right + Duration::hours(1)).timestamp_millis()
    );
    rename(&a, p.meta.id, "Edited after the clock was put right").await;
    a.sync(folder.path()).await;
    let report = b.sync(folder.path()).await;
    assert_eq!(report.preview.adds, 2);
    let got: Programme = b.store.get(p.meta.id).await.unwrap();
    assert_eq!(got.title, "Edited after the clock was put right");
    // b edits the record after syncing and its edit wins everywhere, a year ahead or not.
    rename(&b, p.meta.id, "Edited on b").await;
    sync_both(folder.path(), &b, &a).await;
    assert_eq!(
        a.store.get::<Programme>(p.meta.id).await.unwrap().title,
        "Edited on b"
    );
}

#[tokio::test]
async fn a_laptop_folds_its_many_segments_into_fresh_ones_and_a_newcomer_still_gets_everything() {
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = (laptop(0).await, laptop(0).await);
    for n in 0..fieldbook_core::sync::folder::COMPACT_AT {
        let mut p = programme(&format!("Programme {n}"));
        a.store.save(&mut p).await.unwrap();
        a.sync(folder.path()).await;
    }
    b.sync(folder.path()).await;
    // Nothing pending: the next sync folds a's segments into one.
    let folded = a.sync(folder.path()).await;
    assert_eq!(folded.compacted, fieldbook_core::sync::folder::COMPACT_AT);
    assert_eq!(names_in(folder.path()), folded.written);
    // b had merged everything folded: it reads the new file's header and nothing else.
    let report = b.sync(folder.path()).await;
    assert_eq!(report.preview.versions, 0, "{report:?}");
    let c = laptop(0).await;
    c.sync(folder.path()).await;
    assert_same(&c, &a).await;
    assert_same(&b, &a).await;
}

#[tokio::test]
async fn a_folder_that_lost_a_laptops_files_gets_them_again() {
    let folder = tempfile::tempdir().unwrap();
    let a = demo_laptop().await;
    let first = a.sync(folder.path()).await;
    for name in names_in(folder.path()) {
        std::fs::remove_file(folder.path().join(name)).unwrap();
    }
    let again = a.sync(folder.path()).await;
    assert_eq!(again.written_changes, first.written_changes);
    let b = laptop(0).await;
    b.sync(folder.path()).await;
    assert_same(&a, &b).await;
}

/// Every reflection that `text` finds (as typed when `typing`), as a set of ids, and the count.
async fn found(store: &Store, text: &str, typing: bool) -> (i64, HashSet<String>) {
    let result = store
        .search(&fieldbook_core::search::SearchQuery {
            text: text.into(),
            as_you_type: typing,
            limit: Some(5000),
            ..Default::default()
        })
        .await
        .unwrap();
    (
        result.total,
        result.hits.into_iter().map(|h| h.id).collect(),
    )
}

#[tokio::test]
async fn many_reflections_merged_at_once_are_found_exactly_as_where_they_were_typed() {
    // Hundreds of reflections arriving together are indexed in one pass, new ones and
    // changed ones alike; a search must find on the laptop that merged them exactly what it
    // finds where they were written.
    let folder = tempfile::tempdir().unwrap();
    let (a, b) = (laptop(0).await, laptop(0).await);
    fieldbook_core::generate::generate(&a.store, 1200, 11, |_| {})
        .await
        .unwrap();
    sync_both(folder.path(), &a, &b).await;
    for (text, typing) in [("trust", false), ("tru", true), ("budget", false)] {
        let here = found(&a.store, text, typing).await;
        assert!(here.0 > 0, "{text}");
        assert_eq!(found(&b.store, text, typing).await, here, "{text}");
    }

    let mut edited: Vec<Reflection> = a.store.list("1 ORDER BY id LIMIT 600", &[]).await.unwrap();
    for r in &mut edited {
        r.text = format!("{} Kittiwakes nest on the harbour walls.", r.text);
        a.store.save(r).await.unwrap();
    }
    sync_both(folder.path(), &a, &b).await;
    for (text, typing) in [("kittiwake", false), ("trust", false), ("harb", true)] {
        let here = found(&a.store, text, typing).await;
        assert!(here.0 > 0, "{text}");
        assert_eq!(found(&b.store, text, typing).await, here, "{text}");
    }
    assert_eq!(found(&b.store, "kittiwake", false).await.0, 600);
}
