//! The sync part of `fieldbook-cli bench`: importing a team's data, "Sync now" with nothing
//! new, a little new into a big laptop, and a new laptop joining, each beside `sqlite3`
//! loading the same rows (into a log table, a record table and an FTS5 index) in the same run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fieldbook_core::sync::{read_bundle, Change};
use fieldbook_core::{Error, Store};

use crate::bench::{figures, ms};

/// What `sqlite3` runs for "the same rows": every change into a log table, the latest payload
/// of each record into a record table, and the reflections' text into an FTS5 index, in one
/// transaction, from one JSON file.
const SQLITE3_LOAD: &str = "
PRAGMA journal_mode = WAL;
CREATE TABLE log (seq INTEGER PRIMARY KEY, kind TEXT, record_id TEXT, stamp TEXT, parent_stamp TEXT, origin TEXT, op TEXT, payload TEXT, resolves TEXT, UNIQUE (record_id, stamp));
CREATE TABLE record (id TEXT PRIMARY KEY, kind TEXT, stamp TEXT, payload TEXT);
CREATE VIRTUAL TABLE words USING fts5 (text, tokenize = 'porter unicode61');
BEGIN;
INSERT INTO log (kind, record_id, stamp, parent_stamp, origin, op, payload, resolves)
  SELECT value ->> 'kind', value ->> 'record_id', value ->> 'stamp', value ->> 'parent_stamp',
         value ->> 'origin', value ->> 'op', value -> 'payload', value -> 'resolves'
  FROM json_each(readfile('CHANGES'));
INSERT OR REPLACE INTO record SELECT record_id, kind, stamp, payload FROM log ORDER BY seq;
INSERT INTO words (text) SELECT payload ->> 'text' FROM record WHERE kind = 'reflection';
COMMIT;
";

/// Times sqlite3 loading `changes` into a new file, once per run.
fn sqlite3_load(work: &Path, changes: &[Change], runs: usize) -> Option<Duration> {
    let json = work.join("changes.json");
    std::fs::write(&json, serde_json::to_vec(changes).ok()?).ok()?;
    let sql = SQLITE3_LOAD.replace("CHANGES", &json.to_string_lossy());
    let mut times = Vec::new();
    for n in 0..=runs {
        let db = work.join(format!("sqlite3-load-{n}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let start = Instant::now();
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(&sql)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .ok()?;
        let took = start.elapsed();
        let _ = std::fs::remove_file(&db);
        if !out.status.success() {
            eprintln!(
                "  (sqlite3 could not load the rows: {})",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        if n > 0 {
            times.push(took);
        }
    }
    let _ = std::fs::remove_file(&json);
    Some(figures(times).0)
}

fn row(what: &str, times: Vec<Duration>, reference: Option<Duration>) {
    let (median, p95) = figures(times);
    let (tool, ratio) = match reference {
        Some(t) => (
            ms(t),
            format!("{:.2}x", median.as_secs_f64() / t.as_secs_f64()),
        ),
        None => ("-".into(), "-".into()),
    };
    say!(
        "| {what} | {} | {} | {tool} | {ratio} |",
        ms(median),
        ms(p95)
    );
}

fn fresh(dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("the bench's work folder can be made");
    dir.to_path_buf()
}

fn files_in(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// A team folder holding the segments of a laptop with `reflections` reflections (made once and
/// kept in `work`), and that laptop.
/// "Sync now" on a laptop the folder has nothing new for: the row of its times.
async fn quiet_syncs(
    laptop: &Store,
    folder: &Path,
    reflections: impl std::fmt::Display,
    runs: usize,
) -> Result<(), Error> {
    let (quiet, ()) = crate::bench::timed(runs, || async {
        let report = laptop.sync_folder(folder, None).await?;
        assert!(report.written.is_empty() && report.merged.is_empty());
        Ok(())
    })
    .await?;
    row(
        &format!("\"Sync now\" with nothing new, {reflections} reflections"),
        quiet,
        None,
    );
    Ok(())
}

async fn team_of(work: &Path, reflections: u64) -> Result<(Store, PathBuf), Error> {
    let dir = work.join(format!("laptop-{reflections}"));
    let folder = work.join(format!("folder-{reflections}"));
    let store = Store::open(&dir).await?;
    let have = crate::bench::reflections_in(&store).await?;
    if have < reflections {
        eprintln!("Making a laptop with {reflections} reflections (once)...");
        fieldbook_core::generate::generate(&store, reflections - have, have + 1, |_| {}).await?;
    }
    std::fs::create_dir_all(&folder)?;
    store.sync_folder(&folder, None).await?;
    Ok((store, folder))
}

/// Prints the sync rows of the benchmark table. `big` is the benchmark's own laptop.
pub async fn run(big: &Store, runs: usize) -> Result<(), Error> {
    let work = big
        .path()
        .parent()
        .unwrap_or(Path::new("."))
        .join("sync-bench");
    std::fs::create_dir_all(&work)?;
    let runs = runs.clamp(1, 5);
    let big_count = big.counts().await?.get("reflection").copied().unwrap_or(0);
    say!();
    say!("Sync ({runs} runs each after one warm-up run; sqlite3 loads the same changes into a log table, a record table and an FTS5 index in one transaction, from one JSON file):");
    say!();
    say!("| Operation | Median | 95th percentile | sqlite3 median | Ratio |");
    say!("|---|---|---|---|---|");

    for size in [20_000u64, 200_000] {
        let (laptop, folder) = team_of(&work, size).await?;
        let files: Vec<Vec<u8>> = files_in(&folder)
            .iter()
            .map(std::fs::read)
            .collect::<Result<_, _>>()?;
        let changes: Vec<Change> = files
            .iter()
            .map(|f| read_bundle(f, None).map(|(_, c)| c))
            .collect::<Result<Vec<_>, _>>()?
            .concat();
        let bytes: usize = files.iter().map(Vec::len).sum();
        let mut import = Vec::new();
        let mut join = Vec::new();
        for n in 0..=runs {
            let other = Store::open(&fresh(&work.join("importer"))).await?;
            let start = Instant::now();
            other.import_bundles(&files, None, false).await?;
            let took = start.elapsed();
            other.close().await;
            let joiner = Store::open(&fresh(&work.join("joiner"))).await?;
            let start = Instant::now();
            joiner.sync_folder(&folder, None).await?;
            let joined = start.elapsed();
            joiner.close().await;
            if n > 0 {
                import.push(took);
                join.push(joined);
            }
        }
        let reference = sqlite3_load(&work, &changes, runs);
        row(
            &format!(
                "Import {size} reflections ({} changes, {:.1} MB) into a new laptop",
                changes.len(),
                bytes as f64 / 1e6
            ),
            import,
            reference,
        );
        row(
            &format!("First sync of a new laptop joining a team folder of {size} reflections"),
            join,
            reference,
        );
        if size == 200_000 {
            quiet_syncs(&laptop, &folder, size, runs).await?;
        }
        laptop.close().await;
    }

    // The benchmark's own big laptop and its team folder.
    let folder = work.join("folder-big");
    std::fs::create_dir_all(&folder)?;
    eprintln!("Writing the big laptop's segments (once)...");
    big.sync_folder(&folder, None).await?;
    quiet_syncs(big, &folder, big_count, runs).await?;

    // Another laptop adds a cohort with 100 reflections at a time and syncs; the big one
    // merges it.
    let small = Store::open(&fresh(&work.join("colleague"))).await?;
    let mut little = Vec::new();
    let mut sizes = Vec::new();
    for n in 0..=runs {
        fieldbook_core::generate::generate(&small, 100, 5_000_000 + n as u64 * 100, |_| {}).await?;
        let wrote = small.sync_folder(&folder, None).await?;
        sizes.push(wrote.written_changes);
        let start = Instant::now();
        let report = big.sync_folder(&folder, None).await?;
        if n > 0 {
            little.push(start.elapsed());
        }
        assert!(!report.merged.is_empty());
    }
    row(
        &format!(
            "Sync of a colleague's 100 new reflections ({} changes with their cohort) into {big_count} reflections",
            sizes.last().copied().unwrap_or(0)
        ),
        little,
        None,
    );
    small.close().await;
    say!();
    say!("\"Sync now\" with nothing new lists the folder's file names and asks the database two questions; it reads no file and makes no backup.");
    Ok(())
}
