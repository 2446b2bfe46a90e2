//! `fieldbook-cli`: Fieldbook's data from the command line, on machines with or without a
//! display. Parsing only parses; the work is done by `fieldbook-core`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use fieldbook_core::demo::{seed_demo, Seeded};
use fieldbook_core::export::{self, Audience, Format, Scope};
use fieldbook_core::qda::{self, QdaScope};
use fieldbook_core::sync::BundleScope;
use fieldbook_core::views::ExerciseFilter;
use fieldbook_core::{calendar, participant_list, paths, Error, Store};
use uuid_arg::RecordId;

/// Prints a line as `println!` does, but ends quietly when the reader has gone (see [`say`]).
macro_rules! say {
    () => {
        $crate::say("")
    };
    ($($arg:tt)*) => {
        $crate::say(&format!($($arg)*))
    };
}

mod bench;
mod bench_phones;
mod bench_sync;
mod phones;
mod uuid_arg;

/// Fieldbook from the command line.
#[derive(Debug, Parser)]
#[command(name = "fieldbook-cli", version)]
struct Cli {
    /// Use the Fieldbook data in DIR instead of the usual place (also FIELDBOOK_DATA_DIR).
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Add the demo programmes, exercises and sessions (once per data folder).
    SeedDemo,
    /// Print how many records of each kind there are, as JSON.
    Stats,
    /// List programmes and their versions.
    Programmes {
        #[arg(long)]
        json: bool,
    },
    /// List programme versions: national and local, with their places and ids.
    Versions {
        /// Only the versions of this programme (see `programmes`).
        #[arg(long)]
        programme: Option<RecordId>,
        #[arg(long)]
        json: bool,
    },
    /// List a version's sessions.
    Sessions {
        /// The version's id (see `programmes`).
        version: RecordId,
        #[arg(long)]
        json: bool,
    },
    /// Show one session's agenda with its computed times.
    Session {
        /// The session's id (see `sessions`).
        session: RecordId,
        #[arg(long)]
        json: bool,
    },
    /// Export session notes to a file, for the facilitator or as a participants' handout.
    #[command(group(clap::ArgGroup::new("scope").required(true).args(["session", "version"])))]
    ExportNotes {
        /// One session (see `sessions`).
        #[arg(long)]
        session: Option<RecordId>,
        /// Every session of a version (see `versions`).
        #[arg(long)]
        version: Option<RecordId>,
        #[arg(long, value_enum)]
        format: FormatArg,
        #[arg(long, value_enum)]
        audience: AudienceArg,
        /// Start a CSV with a byte-order mark, so Excel reads its accents right.
        #[arg(long)]
        bom: bool,
        /// The file to write.
        out: PathBuf,
    },
    /// Write a programme's learning summary (themes by place, chosen quotes from those who
    /// agreed to be quoted) to a file.
    LearningSummary {
        /// The programme (see `programmes`).
        #[arg(long)]
        programme: RecordId,
        #[arg(long, value_enum)]
        format: SummaryFormatArg,
        /// The file to write.
        out: PathBuf,
    },
    /// Write a sync bundle of this laptop's data (everything, or one version with what it
    /// refers to) to OUT.
    ExportBundle {
        out: PathBuf,
        /// Only this local version (see `versions`) and what it refers to.
        #[arg(long)]
        version: Option<RecordId>,
        /// Encrypt with the passphrase in this file (its first line).
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// Merge sync bundles from other laptops, all together or not at all, and print what
    /// happened (or, with --dry-run, what would) as JSON.
    ImportBundle {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Only show what importing would do; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Merge what the other laptops wrote into the sync folder DIR, then write there what
    /// this laptop has not written yet; say what was merged, skipped (and why) and written.
    /// Without DIR, the sync folder chosen in the window (or with --remember).
    SyncFolder {
        dir: Option<PathBuf>,
        /// Remember DIR as this laptop's sync folder, as choosing it in the window does.
        #[arg(long, requires = "dir")]
        remember: bool,
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show where backups go and how many are kept; with options, change it.
    Backups {
        /// The folder backups go to.
        #[arg(long)]
        folder: Option<PathBuf>,
        /// How many backups of each kind to keep.
        #[arg(long)]
        keep: Option<usize>,
        /// The most all backups together may take, in megabytes.
        #[arg(long, value_name = "MB")]
        budget_mb: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// Import a version's participants from a list (.csv, .xlsx or .ods): prints who was
    /// added, who was already in the cohort and which rows were refused, and why.
    ImportParticipants {
        file: PathBuf,
        /// The version whose cohort they join (see `versions`).
        #[arg(long)]
        version: RecordId,
        /// What a column holds when its heading is not recognised, as HEADING=FIELD (FIELD:
        /// name, first_name, last_name, email, organisation, role, sector, consent_named,
        /// consent_quoted, consent_contact or ignore). May be given more than once.
        #[arg(long = "column", value_name = "HEADING=FIELD")]
        columns: Vec<String>,
        /// Say what would happen and change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Write coded reflections as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or
    /// QualCoder: everything, one programme or one version.
    #[command(group(clap::ArgGroup::new("qda_scope").args(["programme", "version"])))]
    ExportQdpx {
        out: PathBuf,
        #[arg(long)]
        programme: Option<RecordId>,
        #[arg(long)]
        version: Option<RecordId>,
    },
    /// Write the themes as a REFI-QDA codebook (.qdc).
    ExportCodebook { out: PathBuf },
    /// Make themes from a REFI-QDA codebook (.qdc); themes already there are left as they are.
    ImportCodebook {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Write a version's dated sessions as an iCalendar file (.ics).
    ExportCalendar {
        #[arg(long)]
        version: RecordId,
        out: PathBuf,
    },
    /// List conflicts: records with concurrent versions from different laptops, as JSON.
    Conflicts,
    /// Write a checked backup of the database to OUT.
    Backup { out: PathBuf },
    /// Replace the database with a backup, after checking it (the current one is kept in
    /// backups/ beside it).
    Restore { file: PathBuf },
    /// Save everything held about one participant as JSON (a subject access request).
    ParticipantData { participant: RecordId, out: PathBuf },
    /// Erase a participant everywhere: identity, reflections and actions. Cannot be undone.
    EraseParticipant {
        participant: RecordId,
        /// Confirms that the erasure is meant.
        #[arg(long)]
        yes: bool,
    },
    /// Keep a participant's reflections and actions but remove who they are. Cannot be undone.
    AnonymiseParticipant {
        participant: RecordId,
        #[arg(long)]
        yes: bool,
    },
    /// List sessions whose participants' words are past their programme's retention period,
    /// as JSON; with --apply --yes, delete that data.
    Retention {
        #[arg(long)]
        apply: bool,
        #[arg(long)]
        yes: bool,
    },
    /// For the crash-safety test: save reflections in a loop, printing each id once committed.
    #[command(hide = true)]
    StressWrite { session: RecordId },
    /// Search reflections (words are matched by their stem; "quoted phrases" together).
    Search {
        query: String,
        #[arg(long)]
        programme: Option<RecordId>,
        #[arg(long)]
        version: Option<RecordId>,
        #[arg(long)]
        session: Option<RecordId>,
        /// Only what this participant said.
        #[arg(long)]
        participant: Option<RecordId>,
        /// Only answers on this agenda item.
        #[arg(long)]
        item: Option<RecordId>,
        /// Only answers to exactly this prompt.
        #[arg(long)]
        prompt: Option<String>,
        /// Only reflections coded with this theme (see `themes`).
        #[arg(long, conflicts_with = "untagged")]
        theme: Option<RecordId>,
        /// Only reflections with no theme yet.
        #[arg(long)]
        untagged: bool,
        /// public, private, voluntary or community.
        #[arg(long)]
        sector: Option<String>,
        /// Captured on or after this date (YYYY-MM-DD).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Captured on or before this date (YYYY-MM-DD).
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// Best match first instead of newest first.
        #[arg(long)]
        relevance: bool,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// List the themes reflections are coded with, and how many reflections each has.
    Themes {
        #[arg(long)]
        json: bool,
    },
    /// Fill the data folder with synthetic cohorts, sessions, participants, varied
    /// reflections and themes, for testing at scale.
    Generate {
        /// How many reflections to add.
        #[arg(long, value_name = "N")]
        reflections: u64,
        /// The same seed makes the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Time search, lists, theme summaries, bundle import and CSV export on a big data set
    /// (made once, in the data folder), beside the sqlite3 command-line tool.
    Bench {
        /// Make sure the data folder has at least this many reflections first.
        #[arg(long, value_name = "N", default_value_t = 1_000_000)]
        reflections: u64,
        /// How many times to time each operation.
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Time only the sync rows.
        #[arg(long)]
        sync_only: bool,
        /// Time only phone answers: 30 phones sending 20 answers each at once to the
        /// phone page on 127.0.0.1, in a new demo data folder under the data folder.
        #[arg(long, conflicts_with = "sync_only")]
        phones: bool,
    },
    /// Let participants answer SESSION's current prompt from their phones: serve the phone
    /// page on ADDR:PORT (a local network address, or 127.0.0.1 to try it on this machine)
    /// until interrupted. The first line printed is the join address, with its code.
    ServePhones {
        /// The session's id (see `sessions`).
        session: RecordId,
        /// Where to listen; without it, every local network address of this laptop, on port
        /// 8765 (or a free one).
        #[arg(long, value_name = "ADDR:PORT")]
        listen: Option<std::net::SocketAddr>,
    },
    /// List the exercise library.
    Exercises {
        /// Only exercises whose title, purpose, steps or tags contain this text.
        #[arg(long)]
        search: Option<String>,
        /// Only exercises with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Only exercises that can be run in this many minutes.
        #[arg(long, value_name = "MINUTES")]
        fits: Option<u32>,
        /// Only exercises that work for a group of this many people.
        #[arg(long, value_name = "PEOPLE")]
        group: Option<u32>,
        /// Include archived exercises.
        #[arg(long)]
        archived: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Md,
    Html,
    Docx,
    Csv,
    Json,
    /// The print-ready HTML printed by Chromium, when it is installed.
    Pdf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SummaryFormatArg {
    Html,
    Docx,
    /// The HTML printed by Chromium, when it is installed.
    Pdf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum AudienceArg {
    Facilitator,
    Participant,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fieldbook-cli: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    // Synthetic data never goes into someone's own Fieldbook by accident.
    let synthetic = matches!(
        cli.command,
        Command::Generate { .. } | Command::Bench { .. }
    );
    if synthetic && cli.data_dir.is_none() && std::env::var_os("FIELDBOOK_DATA_DIR").is_none() {
        return Err(Error::invalid(
            "generate and bench fill a data folder with synthetic reflections: give them a folder of their own with --data-dir DIR.",
        ));
    }
    let dir = paths::data_dir(cli.data_dir)?;
    // A restore replaces the database file, so nothing may have it open.
    if let Command::Restore { file } = &cli.command {
        let kept = fieldbook_core::backup::restore(&dir, file).await?;
        say!(
            "Restored {} from {}.",
            dir.join("fieldbook.db").display(),
            file.display()
        );
        if let Some(kept) = kept {
            say!("The database it replaced is kept as {}.", kept.display());
        }
        return Ok(());
    }
    let store = Store::open(&dir).await?;
    let result = command(&store, cli.command).await;
    store.close().await;
    result
}

/// The passphrase: the first line of a file, so it never shows in the process list.
fn passphrase(file: Option<&PathBuf>) -> Result<Option<String>, Error> {
    let Some(file) = file else { return Ok(None) };
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::invalid(format!(
            "The passphrase file {} could not be read: {e}",
            file.display()
        ))
    })?;
    let line = text.lines().next().unwrap_or_default().to_owned();
    if line.is_empty() {
        return Err(Error::invalid(format!(
            "The passphrase file {} is empty.",
            file.display()
        )));
    }
    Ok(Some(line))
}

fn read_file(file: &std::path::Path) -> Result<Vec<u8>, Error> {
    std::fs::read(file).map_err(|e| {
        Error::invalid(format!(
            "{} could not be read: {e}. Nothing has been changed.",
            file.display()
        ))
    })
}

fn file_name(file: &std::path::Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string())
}

/// What cannot be undone goes ahead only with --yes.
fn confirmed(yes: bool, doing: &str) -> Result<(), Error> {
    if yes {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "{doing} cannot be undone: add --yes to confirm."
        )))
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Error> {
    say(&serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints a line; a reader that stopped early (`| head`) ends the output quietly, with
/// success, instead of a panic on the closed pipe. Every line the CLI prints goes through here
/// (the `say!` macro).
pub(crate) fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").is_err() {
        std::process::exit(0);
    }
}

fn describe_sync(report: &fieldbook_core::sync::FolderSync) {
    let p = &report.preview;
    if report.merged.is_empty() {
        say("Nothing new from the other laptops.");
    } else {
        say(&format!(
            "Merged {} file(s): {} added, {} updated, {} deleted, {} conflict(s) to settle.",
            report.merged.len(),
            p.adds,
            p.updates,
            p.deletes,
            p.conflicts
        ));
    }
    for s in &report.skipped {
        say(&format!("Skipped {}: {}", s.file, s.reason));
    }
    for w in &report.waiting {
        say(&format!(
            "Left {w} for the next sync: it is still arriving."
        ));
    }
    for c in &report.clocks {
        say(&c.message);
    }
    if report.written.is_empty() {
        say("Nothing new to write from this laptop.");
    } else {
        say(&format!(
            "Wrote {} change(s) for the others in {}.",
            report.written_changes,
            report.written.join(", ")
        ));
    }
}

async fn command(store: &Store, command: Command) -> Result<(), Error> {
    match command {
        Command::SeedDemo => match seed_demo(store).await? {
            Seeded::Now => say!("Added the demo content to {}.", store.path().display()),
            Seeded::Already => say!(
                "The demo content is already in {}; nothing was added.",
                store.path().display()
            ),
        },
        Command::Stats => print_json(&store.counts().await?)?,
        Command::Programmes { json } => {
            let programmes = store.programme_overviews().await?;
            if json {
                return print_json(&programmes);
            }
            if programmes.is_empty() {
                say!("No programmes yet. Add the demo content with `fieldbook-cli seed-demo`.");
            }
            for p in programmes {
                say!("{}", p.programme.title);
                for v in p.versions {
                    let place = if v.version.place.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", v.version.place)
                    };
                    say!(
                        "  {}  {}{}, {} sessions",
                        v.version.meta.id,
                        v.version.name,
                        place,
                        v.sessions
                    );
                }
            }
        }
        Command::Versions { programme, json } => {
            let mut versions = Vec::new();
            for overview in store.programme_overviews().await? {
                if programme.is_some_and(|p| p.0 != overview.programme.meta.id) {
                    continue;
                }
                for v in overview.versions {
                    versions.push(serde_json::json!({
                        "programme": overview.programme.title,
                        "version": v.version,
                        "sessions": v.sessions,
                    }));
                }
            }
            if json {
                return print_json(&versions);
            }
            for v in &versions {
                let version = &v["version"];
                let place = version["place"].as_str().filter(|p| !p.is_empty());
                say!(
                    "{}  {} ({}), {} sessions",
                    version["id"].as_str().unwrap_or_default(),
                    version["name"].as_str().unwrap_or_default(),
                    place.unwrap_or("national"),
                    v["sessions"]
                );
            }
        }
        Command::Sessions { version, json } => {
            let detail = store.version_detail(version.0).await?;
            if json {
                return print_json(&detail);
            }
            say!("{}: {}", detail.programme.title, detail.version.name);
            for s in detail.sessions {
                let date = s
                    .session
                    .date
                    .map(|d| d.format("%a %e %b %Y").to_string())
                    .unwrap_or_else(|| "no date".into());
                say!(
                    "  {}  {}  {}, {}–{}, {} items",
                    s.session.meta.id,
                    s.session.title,
                    date,
                    s.start,
                    s.end,
                    s.items
                );
            }
        }
        Command::Session { session, json } => {
            let detail = store.session_detail(session.0).await?;
            if json {
                return print_json(&detail);
            }
            let t = &detail.timetable;
            say!("{}", detail.session.title);
            say!(
                "{}–{} ({} minutes of activity)",
                t.start,
                t.end,
                t.total_minutes
            );
            for item in &t.items {
                say!(
                    "  {}  {:>3} min  {}",
                    item.start,
                    item.item.minutes,
                    item.item.title
                );
            }
            if t.over_planned_end > 0 {
                say!(
                    "Runs {} minutes past the planned end ({}).",
                    t.over_planned_end,
                    t.planned_end.as_deref().unwrap_or("")
                );
            }
        }
        Command::ExportNotes {
            session,
            version,
            format,
            audience,
            bom,
            out,
        } => {
            let scope = match (session, version) {
                (Some(s), _) => Scope::Session(s.0),
                (None, Some(v)) => Scope::Version(v.0),
                (None, None) => unreachable!("clap requires one"),
            };
            let audience = match audience {
                AudienceArg::Facilitator => Audience::Facilitator,
                AudienceArg::Participant => Audience::Participant,
            };
            let format = match format {
                FormatArg::Md => Format::Md,
                FormatArg::Html => Format::Html,
                FormatArg::Docx => Format::Docx,
                FormatArg::Csv => Format::Csv,
                FormatArg::Json => Format::Json,
                FormatArg::Pdf => {
                    let export = store.gather_export(scope, audience).await?;
                    let html =
                        String::from_utf8_lossy(&export::render(&export, Format::Html, false)?)
                            .into_owned();
                    export::pdf::print_html(&html, &out)?;
                    say!("Wrote {}.", out.display());
                    return Ok(());
                }
            };
            let export = store.gather_export(scope, audience).await?;
            let bytes = export::render(&export, format, bom)?;
            export::write_atomically(&out, &bytes)?;
            say!("Wrote {} ({} bytes).", out.display(), bytes.len());
        }
        Command::LearningSummary {
            programme,
            format,
            out,
        } => {
            let summary = store.learning_summary(programme.0).await?;
            match format {
                SummaryFormatArg::Html => export::write_atomically(
                    &out,
                    export::learning::render_html(&summary).as_bytes(),
                )?,
                SummaryFormatArg::Docx => {
                    export::write_atomically(&out, &export::learning::render_docx(&summary)?)?
                }
                SummaryFormatArg::Pdf => {
                    export::pdf::print_html(&export::learning::render_html(&summary), &out)?
                }
            }
            say!(
                "Wrote {} ({} themes, {} quotes).",
                out.display(),
                summary.summary.rows.len(),
                summary.quotes.iter().map(|q| q.quotes.len()).sum::<usize>()
            );
        }
        Command::ExportBundle {
            out,
            version,
            passphrase_file,
        } => {
            let passphrase = passphrase(passphrase_file.as_ref())?;
            let scope = match version {
                Some(v) => BundleScope::Version(v.0),
                None => BundleScope::Everything,
            };
            let bytes = store.export_bundle(scope, passphrase.as_deref()).await?;
            export::write_atomically(&out, &bytes)?;
            say!("Wrote {} ({} bytes).", out.display(), bytes.len());
        }
        Command::ImportBundle {
            files,
            passphrase_file,
            dry_run,
        } => {
            let passphrase = passphrase(passphrase_file.as_ref())?;
            let mut bundles = Vec::new();
            for file in &files {
                bundles.push(std::fs::read(file).map_err(|e| {
                    Error::invalid(format!("{} could not be read: {e}", file.display()))
                })?);
            }
            let preview = store
                .import_bundles(&bundles, passphrase.as_deref(), dry_run)
                .await?;
            print_json(&preview)?;
        }
        Command::SyncFolder {
            dir,
            remember,
            passphrase_file,
            json,
        } => {
            let passphrase = passphrase(passphrase_file.as_ref())?;
            if let (Some(dir), true) = (&dir, remember) {
                store.choose_sync_folder(dir).await?;
            }
            let report = match dir {
                Some(dir) if !remember => store.sync_folder(&dir, passphrase.as_deref()).await?,
                // The chosen folder: the window's Sync now, which also records what it did.
                _ => {
                    store
                        .sync_chosen_folder(passphrase.as_deref(), true)
                        .await?
                }
            };
            if json {
                print_json(&report)?;
            } else {
                describe_sync(&report);
            }
        }
        Command::Backups {
            folder,
            keep,
            budget_mb,
            json,
        } => {
            let mut policy = store.backup_policy().await?;
            if folder.is_some() || keep.is_some() || budget_mb.is_some() {
                if let Some(folder) = folder {
                    policy.folder = std::path::absolute(&folder).unwrap_or(folder);
                }
                policy.kept = keep.unwrap_or(policy.kept);
                policy.budget_mb = budget_mb.unwrap_or(policy.budget_mb);
                policy = store.set_backup_policy(&policy).await?;
            }
            if json {
                print_json(
                    &serde_json::json!({ "policy": policy, "backups": store.backups().await? }),
                )?;
            } else {
                say(&format!(
                    "Backups go to {}; {} of each kind are kept, {} MB in all at most.",
                    policy.folder.display(),
                    policy.kept,
                    policy.budget_mb
                ));
                for b in store.backups().await? {
                    say(&format!("{}  {} bytes", b.name, b.bytes));
                }
            }
        }
        Command::ImportParticipants {
            file,
            version,
            columns,
            dry_run,
            json,
        } => {
            let bytes = read_file(&file)?;
            let name = file_name(&file);
            let table = participant_list::read_table(&bytes, &name)?;
            let mut choices = Vec::new();
            for c in &columns {
                let (heading, field) = c.rsplit_once('=').ok_or_else(|| {
                    Error::invalid(format!(
                        "--column {c}: write HEADING=FIELD, such as --column \"Delegate=name\". Nothing has been changed."
                    ))
                })?;
                choices.push((heading.to_owned(), field.to_owned()));
            }
            let mapping = participant_list::mapping_with(
                table.rows.first().map_or(&[][..], |r| &r[..]),
                &choices,
            )?;
            let report = if dry_run {
                let plan = store
                    .plan_participant_import(version.0, &table, Some(&mapping))
                    .await?;
                if let Some(problem) = plan.problem {
                    return Err(Error::invalid(format!(
                        "{problem} Nothing has been changed."
                    )));
                }
                participant_list::ImportReport {
                    added: plan.to_add,
                    duplicates: plan.duplicates,
                    refused: plan.refused,
                }
            } else {
                store
                    .import_participants(version.0, &table, Some(&mapping))
                    .await?
            };
            if json {
                return print_json(&serde_json::json!({
                    "dry_run": dry_run,
                    "added": report.added,
                    "duplicates": report.duplicates,
                    "refused": report.refused,
                }));
            }
            let verb = if dry_run { "Would add" } else { "Added" };
            say(&format!(
                "{verb} {} {}.",
                report.added.len(),
                if report.added.len() == 1 {
                    "participant"
                } else {
                    "participants"
                }
            ));
            for p in &report.added {
                say(&format!("  row {}: {}", p.row, p.name));
            }
            if !report.duplicates.is_empty() {
                say(&format!("Not added twice ({}):", report.duplicates.len()));
                for d in &report.duplicates {
                    say(&format!("  row {}: {}, {}", d.row, d.name, d.reason));
                }
            }
            if !report.refused.is_empty() {
                say(&format!("Refused ({}):", report.refused.len()));
                for r in &report.refused {
                    say(&format!("  row {}: {}", r.row, r.reason));
                }
            }
            if dry_run {
                say("Nothing has been changed (--dry-run).");
            }
        }
        Command::ExportQdpx {
            out,
            programme,
            version,
        } => {
            let scope = match (programme, version) {
                (Some(p), _) => QdaScope::Programme(p.0),
                (None, Some(v)) => QdaScope::Version(v.0),
                (None, None) => QdaScope::Everything,
            };
            let project = store.gather_qda(scope).await?;
            let bytes = qda::render_qdpx(&project)?;
            export::write_atomically(&out, &bytes)?;
            say!(
                "Wrote {} ({} reflections, {} themes, {} codings, {} participants).",
                out.display(),
                project.sources.len(),
                project.codes.len(),
                project.codings(),
                project.cases.len()
            );
        }
        Command::ExportCodebook { out } => {
            let codes = store.codebook().await?;
            export::write_atomically(&out, qda::render_qdc(&codes).as_bytes())?;
            say!("Wrote {} ({} themes).", out.display(), codes.len());
        }
        Command::ImportCodebook {
            file,
            dry_run,
            json,
        } => {
            let bytes = read_file(&file)?;
            let codes = qda::read_codebook(&bytes, &file_name(&file))?;
            let plan = if dry_run {
                store.plan_codebook_import(&codes).await?
            } else {
                store.import_codebook(&codes).await?
            };
            if json {
                return print_json(&plan);
            }
            let verb = if dry_run { "Would add" } else { "Added" };
            say(&format!("{verb} {} themes.", plan.to_add.len()));
            for c in &plan.to_add {
                say(&format!("  {}", c.name));
            }
            if !plan.existing.is_empty() {
                say(&format!("Already themes: {}.", plan.existing.join(", ")));
            }
            for r in &plan.refused {
                say(&format!("Left out: {r}."));
            }
        }
        Command::ExportCalendar { version, out } => {
            let calendar = store.gather_calendar(version.0).await?;
            let text = calendar::render_ics(&calendar);
            export::write_atomically(&out, text.as_bytes())?;
            say!(
                "Wrote {} ({} sessions).",
                out.display(),
                calendar.events.len()
            );
            if !calendar.undated.is_empty() {
                say!(
                    "Left out, with no date yet: {}.",
                    calendar.undated.join(", ")
                );
            }
        }
        Command::Conflicts => print_json(&store.conflicts().await?)?,
        Command::Backup { out } => {
            store.backup_to(&out).await?;
            say!("Backed up to {} (checked).", out.display());
        }
        Command::Restore { .. } => unreachable!("handled before the store is opened"),
        Command::ParticipantData { participant, out } => {
            let data = store.participant_data(participant.0).await?;
            export::write_atomically(&out, &serde_json::to_vec_pretty(&data)?)?;
            say!("Wrote {}.", out.display());
        }
        Command::EraseParticipant { participant, yes } => {
            confirmed(yes, "Erasing")?;
            store.erase_participant(participant.0).await?;
            say!("Erased. Other laptops follow at their next sync.");
        }
        Command::AnonymiseParticipant { participant, yes } => {
            confirmed(yes, "Anonymising")?;
            store.anonymise_participant(participant.0).await?;
            say!("Anonymised. Other laptops follow at their next sync.");
        }
        Command::Retention { apply, yes } => {
            let past = store.past_retention().await?;
            if !apply {
                return print_json(&past);
            }
            confirmed(yes, "Deleting")?;
            let ids: Vec<_> = past.iter().map(|p| p.session_id).collect();
            let removed = store.apply_retention(&ids).await?;
            say!(
                "Deleted {removed} records from {} sessions past their retention period.",
                ids.len()
            );
        }
        Command::Themes { json } => {
            let themes = store.themes().await?;
            if json {
                return print_json(&themes);
            }
            for t in themes {
                say!("{}  {} ({})", t.theme.meta.id, t.theme.name, t.reflections);
            }
        }
        Command::Generate { reflections, seed } => {
            let made = fieldbook_core::generate::generate(store, reflections, seed, |n| {
                eprint!("\r{n} reflections");
            })
            .await?;
            eprintln!();
            print_json(&made)?;
        }
        Command::Bench {
            reflections,
            runs,
            sync_only,
            phones,
        } => {
            if phones {
                let scratch = store.path().with_file_name("bench-phones");
                let _ = std::fs::remove_dir_all(&scratch);
                bench_phones::run(&scratch).await?;
                let _ = std::fs::remove_dir_all(&scratch);
            } else {
                bench::run(store, reflections, runs, sync_only).await?
            }
        }
        Command::ServePhones { session, listen } => phones::serve(store, session.0, listen).await?,
        Command::StressWrite { session } => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for n in 0u64.. {
                let draft = fieldbook_core::day::ReflectionDraft {
                    id: None,
                    session_id: session.0,
                    agenda_item_id: None,
                    participant_id: None,
                    prompt: String::new(),
                    text: format!("Reflection {n} written under stress"),
                };
                if let Some(r) = store.save_reflection(draft).await? {
                    writeln!(out, "{}", r.meta.id)?;
                    out.flush()?;
                }
            }
        }
        Command::Search {
            query,
            programme,
            version,
            session,
            participant,
            item,
            prompt,
            theme,
            untagged,
            sector,
            from,
            to,
            relevance,
            limit,
            json,
        } => {
            let found = store
                .search(&fieldbook_core::search::SearchQuery {
                    text: query,
                    programme_id: programme.map(|p| p.0),
                    version_id: version.map(|v| v.0),
                    session_id: session.map(|s| s.0),
                    participant_id: participant.map(|p| p.0),
                    agenda_item_id: item.map(|i| i.0),
                    no_item: false,
                    prompt,
                    theme_id: theme.map(|t| t.0),
                    untagged,
                    sector,
                    from,
                    to,
                    sort: if relevance {
                        fieldbook_core::search::Sort::Relevance
                    } else {
                        fieldbook_core::search::Sort::Newest
                    },
                    as_you_type: false,
                    limit: Some(limit),
                    offset: 0,
                })
                .await?;
            if json {
                return print_json(&found);
            }
            say!("{} reflections match.", found.total);
            for hit in found.hits {
                let marked = hit
                    .marked
                    .replace(fieldbook_core::search::MARK_START, "[")
                    .replace(fieldbook_core::search::MARK_END, "]");
                let from = match hit.sent_from.as_deref() {
                    Some("phone") => " (from a phone)",
                    _ => "",
                };
                say!(
                    "{}  {}{from}: {marked}",
                    &hit.captured_at[..10.min(hit.captured_at.len())],
                    hit.session
                );
            }
        }
        Command::Exercises {
            search,
            tag,
            fits,
            group,
            archived,
            json,
        } => {
            let filter = ExerciseFilter {
                text: search,
                tag,
                minutes: fits,
                group,
                include_archived: archived,
            };
            let exercises = store.exercises(&filter).await?;
            if json {
                return print_json(&exercises);
            }
            for e in exercises {
                say!(
                    "{}  {} ({}–{} min, {}–{} people)",
                    e.meta.id,
                    e.title,
                    e.min_minutes,
                    e.max_minutes,
                    e.min_group,
                    e.max_group
                );
            }
        }
    }
    Ok(())
}
