//! `fieldbook-cli bench`: times what a facilitator waits for on a big data set, beside the
//! `sqlite3` command-line tool running the equivalent SQL on the same file. It prints
//! figures; it never fails because a machine is slow.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fieldbook_core::domain::{ProgrammeVersion, VersionKind};
use fieldbook_core::export::{self, Audience, Format, Scope};
use fieldbook_core::search::{SearchQuery, Sort};
use fieldbook_core::sync::BundleScope;
use fieldbook_core::themes::{Breakdown, SummaryScope};
use fieldbook_core::{Error, Select, Store};

/// The median and 95th percentile of some timings.
pub(crate) fn figures(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let at = |q: f64| times[((q * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
    (at(0.5), at(0.95))
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Times `sqlite3 -readonly FILE SQL` (process start included, as a person would run it).
/// `None` when the tool is missing or cannot run the SQL.
fn time_sqlite3(file: &Path, sql: &str, runs: usize) -> Option<Vec<Duration>> {
    time_sqlite3_with(file, &[], sql, runs)
}

fn time_sqlite3_with(file: &Path, flags: &[&str], sql: &str, runs: usize) -> Option<Vec<Duration>> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..=runs {
        let start = Instant::now();
        let out = Command::new("sqlite3")
            .arg("-readonly")
            .args(flags)
            .arg(file)
            .arg(sql)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .ok()?;
        let took = start.elapsed();
        if !out.status.success() || !out.stderr.is_empty() {
            eprintln!(
                "  (sqlite3 could not run it: {})",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        times.push(took);
    }
    times.remove(0); // the first run warms the page cache
    Some(times)
}

/// Runs `work` once to warm up, then `runs` times timed: the times, and the last answer.
pub(crate) async fn timed<T, Fut>(
    runs: usize,
    mut work: impl FnMut() -> Fut,
) -> Result<(Vec<Duration>, T), Error>
where
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let mut last = work().await?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        last = work().await?;
        times.push(start.elapsed());
    }
    Ok((times, last))
}

/// The reflections a laptop holds.
pub(crate) async fn reflections_in(store: &Store) -> Result<u64, Error> {
    Ok(store
        .counts()
        .await?
        .get("reflection")
        .copied()
        .unwrap_or(0) as u64)
}

/// Prints one row: what, Fieldbook's times, and sqlite3's times for the same work.
fn print_beside(what: String, times: Vec<Duration>, sqlite3: Option<Vec<Duration>>) {
    let (median, p95) = figures(times);
    print_line(&Line {
        what,
        median,
        p95,
        sqlite3: sqlite3.map(|t| figures(t).0),
    });
}

struct Line {
    what: String,
    median: Duration,
    p95: Duration,
    sqlite3: Option<Duration>,
}

fn print_line(line: &Line) {
    let (tool, ratio) = match line.sqlite3 {
        Some(t) => (
            ms(t),
            format!("{:.2}x", line.median.as_secs_f64() / t.as_secs_f64()),
        ),
        None => ("-".to_owned(), "-".to_owned()),
    };
    say!(
        "| {} | {} | {} | {} | {} |",
        line.what,
        ms(line.median),
        ms(line.p95),
        tool,
        ratio
    );
}

fn quote_sql(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub async fn run(
    store: &Store,
    reflections: u64,
    runs: usize,
    sync_only: bool,
) -> Result<(), Error> {
    let runs = runs.max(1);
    let have = reflections_in(store).await?;
    if have < reflections {
        eprintln!("Making {} reflections (once)...", reflections - have);
        let started = Instant::now();
        fieldbook_core::generate::generate(store, reflections - have, have + 1, |n| {
            eprint!("\r  {n}");
        })
        .await?;
        eprintln!("\r  done in {:.0} s", started.elapsed().as_secs_f64());
        store.compact().await?;
    }
    if sync_only {
        return crate::bench_sync::run(store, runs).await;
    }
    let file = store.path().to_path_buf();
    let total = reflections_in(store).await?;
    let versions: Vec<ProgrammeVersion> = store
        .list(Select::all().eq("kind", "local").by("name"))
        .await?;
    let version = versions
        .iter()
        .find(|v| v.kind == VersionKind::Local && v.place == "Sunderland")
        .or(versions.first())
        .ok_or_else(|| Error::invalid("The data folder has no local version to time."))?
        .clone();

    say!(
        "Fieldbook benchmark: {total} reflections in {}",
        file.display()
    );
    say!("Machine: {}", fieldbook_core::generate::this_machine());
    say!("Each figure is over {runs} runs after one warm-up run. sqlite3 runs the same SQL on the same file, process start included.");
    say!();
    say!("| Operation | Median | 95th percentile | sqlite3 median | Ratio |");
    say!("|---|---|---|---|---|");

    let join = "JOIN reflection r ON r.search_key = reflection_search.rowid";
    // The last three are searches as the window makes them while a word is being typed: its
    // start matches the start of words (a prefix query).
    let searches: [(&str, &str, Sort, bool); 6] = [
        (
            "Search \"trust\", newest first, first page and count",
            "trust",
            Sort::Newest,
            false,
        ),
        (
            "Search \"trust\", best match first, first page and count",
            "trust",
            Sort::Relevance,
            false,
        ),
        (
            "Search \"closed rooms\" (phrase), best match first",
            "\"closed rooms\"",
            Sort::Relevance,
            false,
        ),
        (
            "Search as typed \"tru\" (start of a word), newest first",
            "tru",
            Sort::Newest,
            true,
        ),
        (
            "Search as typed \"com\" (start of a word), newest first",
            "com",
            Sort::Newest,
            true,
        ),
        (
            "Search as typed \"budget sha\", best match first",
            "budget sha",
            Sort::Relevance,
            true,
        ),
    ];
    // Each search as the window makes it, beside the SQL sqlite3 runs for the same answer.
    let mut rows: Vec<(String, SearchQuery, String)> = Vec::new();
    for (what, text, sort, as_you_type) in searches {
        let query = SearchQuery {
            text: text.to_owned(),
            sort,
            as_you_type,
            limit: Some(50),
            ..SearchQuery::default()
        };
        let fts = if as_you_type {
            fieldbook_core::search::fts_query_as_typed(text)
        } else {
            fieldbook_core::search::fts_query(text)
        };
        let fts = quote_sql(&fts.unwrap_or_default());
        let order = match sort {
            Sort::Newest => "r.captured_at DESC",
            Sort::Relevance => "bm25(reflection_search)",
        };
        let sql = format!(
            "SELECT count(*) FROM reflection_search {join} WHERE reflection_search MATCH {fts} AND r.deleted = 0;
             SELECT r.id, highlight(reflection_search, 0, '[', ']') FROM reflection_search {join}
             WHERE reflection_search MATCH {fts} AND r.deleted = 0 ORDER BY {order} LIMIT 50;"
        );
        rows.push((format!("{what} ({{}} match)"), query, sql));
    }
    // A filtered count: one programme, one sector, a word.
    rows.push((
        "Filtered count: \"budget\", one programme, public sector ({})".into(),
        SearchQuery {
            text: "budget".into(),
            programme_id: Some(version.programme_id),
            sector: Some("public".into()),
            limit: Some(0),
            ..SearchQuery::default()
        },
        format!(
            "SELECT count(*) FROM reflection_search {join} JOIN session s ON s.id = r.session_id
             JOIN programme_version v ON v.id = s.version_id JOIN participant p ON p.id = r.participant_id
             WHERE reflection_search MATCH '\"budget\"' AND v.programme_id = '{}' AND p.sector = 'public' AND r.deleted = 0;",
            version.programme_id
        ),
    ));
    // A filtered list with no words: one programme, one sector, newest first.
    let filter = format!(
        "FROM reflection r JOIN session s ON s.id = r.session_id
         JOIN programme_version v ON v.id = s.version_id JOIN participant p ON p.id = r.participant_id
         WHERE v.programme_id = '{}' AND p.sector = 'voluntary' AND r.deleted = 0",
        version.programme_id
    );
    rows.push((
        "Filtered list: one programme, voluntary sector, newest first ({})".into(),
        SearchQuery {
            programme_id: Some(version.programme_id),
            sector: Some("voluntary".into()),
            limit: Some(50),
            ..SearchQuery::default()
        },
        format!(
            "SELECT count(*) {filter}; SELECT r.id, r.text {filter} ORDER BY r.captured_at DESC LIMIT 50;"
        ),
    ));
    for (what, query, sql) in rows {
        let (times, found) =
            timed(runs, || async { Ok(store.search(&query).await?.total) }).await?;
        print_beside(
            what.replace("{}", &found.to_string()),
            times,
            time_sqlite3(&file, &sql, runs),
        );
    }

    // Themes by place across a programme.
    let scope = SummaryScope {
        programme_id: Some(version.programme_id),
        version_id: None,
    };
    let (times, found) = timed(runs, || async {
        Ok(store
            .theme_summary(scope, Breakdown::Place)
            .await?
            .rows
            .len())
    })
    .await?;
    let sql = format!(
        "SELECT rt.theme_id, s.version_id, count(DISTINCT r.id) FROM reflection_theme rt
         JOIN reflection r ON r.id = rt.reflection_id AND r.deleted = 0 AND r.text != ''
         JOIN session s ON s.id = r.session_id JOIN programme_version v ON v.id = s.version_id
         WHERE v.programme_id = '{}' GROUP BY rt.theme_id, s.version_id;",
        version.programme_id
    );
    print_beside(
        format!("Theme summary by place, one programme ({found} themes)"),
        times,
        time_sqlite3(&file, &sql, runs),
    );

    // CSV export of one cohort's notes.
    let (times, bytes) = timed(runs, || async {
        let notes = store
            .gather_export(Scope::Version(version.meta.id), Audience::Facilitator)
            .await?;
        Ok(export::render(&notes, Format::Csv, false)?.len())
    })
    .await?;
    let sql = format!(
        "SELECT s.title, s.date, a.title, r.prompt, p.name, r.text FROM reflection r
         JOIN session s ON s.id = r.session_id LEFT JOIN agenda_item a ON a.id = r.agenda_item_id
         LEFT JOIN participant p ON p.id = r.participant_id
         WHERE s.version_id = '{}' AND r.deleted = 0 ORDER BY s.date, a.position;",
        version.meta.id
    );
    print_beside(
        format!("CSV export of one cohort's notes ({} KB)", bytes / 1024),
        times,
        time_sqlite3_with(&file, &["-csv"], &sql, runs),
    );

    // Importing that cohort's bundle on a laptop that has not got it yet.
    let bundle = store
        .export_bundle(BundleScope::Version(version.meta.id), None)
        .await?;
    let mut times = Vec::new();
    let runs_import = runs.min(10);
    for n in 0..=runs_import {
        let folder =
            std::env::temp_dir().join(format!("fieldbook-bench-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        let other = Store::open(&folder).await?;
        let start = Instant::now();
        other
            .import_bundles(std::slice::from_ref(&bundle), None, false)
            .await?;
        if n > 0 {
            times.push(start.elapsed());
        }
        other.close().await;
        let _ = std::fs::remove_dir_all(&folder);
    }
    print_beside(
        format!(
            "Import one cohort's bundle on a new laptop ({} KB; {runs_import} runs)",
            bundle.len() / 1024
        ),
        times,
        None,
    );
    participant_list_line(runs_import).await?;
    say!();
    say!("The import has no sqlite3 equivalent: it checks, merges and indexes every change.");
    say!("The participant list's reference is sqlite3 `.import --csv` of the same file into a new table.");
    crate::bench_sync::run(store, runs).await
}

/// Importing a participant list of 1,000 people (read, recognise the headings, check and
/// dedupe every row, save) into a new version's cohort, beside sqlite3 importing the same CSV.
async fn participant_list_line(runs: usize) -> Result<(), Error> {
    use fieldbook_core::domain::Programme;
    use fieldbook_core::participant_list;
    let sectors = ["Public", "Private", "Voluntary", "Community", ""];
    let mut csv = String::from(
        "\u{feff}Full name;Email address;Organisation;Job title;Sector;Consent to be named\r\n",
    );
    for n in 0..1000 {
        csv.push_str(&format!(
            "\"Person {n}, Ñúñez\";person{n}@example.org;Org {};Officer;{};{}\r\n",
            n % 37,
            sectors[n % 5],
            if n % 2 == 0 { "Yes" } else { "No" }
        ));
    }
    let base = std::env::temp_dir().join(format!("fieldbook-bench-list-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base)?;
    let list = base.join("list.csv");
    std::fs::write(&list, &csv)?;
    let mut times = Vec::new();
    let mut reference = Vec::new();
    for n in 0..=runs {
        let folder = base.join(format!("run-{n}"));
        let other = Store::open(&folder).await?;
        let mut programme = Programme {
            title: "Bench".into(),
            ..Default::default()
        };
        other.save(&mut programme).await?;
        let mut version = ProgrammeVersion {
            programme_id: programme.meta.id,
            kind: VersionKind::National,
            name: "Bench".into(),
            ..Default::default()
        };
        other.save(&mut version).await?;
        let start = Instant::now();
        let bytes = std::fs::read(&list)?;
        let table = participant_list::read_table(&bytes, "list.csv")?;
        let report = other
            .import_participants(version.meta.id, &table, None)
            .await?;
        let took = start.elapsed();
        assert_eq!(report.added.len(), 1000, "the bench's list imports whole");
        other.close().await;
        let db = base.join(format!("reference-{n}.db"));
        let start = Instant::now();
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(".import --csv list.csv people")
            .current_dir(&base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let reference_took = start.elapsed();
        if n > 0 {
            times.push(took);
            if out.is_ok_and(|s| s.success()) {
                reference.push(reference_took);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&base);
    print_beside(
        format!(
            "Import a participant list of 1,000 people (CSV, {} KB; {runs} runs)",
            csv.len() / 1024
        ),
        times,
        (!reference.is_empty()).then_some(reference),
    );
    Ok(())
}
