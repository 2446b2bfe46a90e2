//! Fieldbook's budgets, measured on the release build and printed (never asserted: a slow
//! machine must not fail a build): binary and package sizes, start-up to the first screen of
//! programmes with the demo data and with a big data set, and the app's resident memory after
//! opening and after scrolling the reflections list of the big data set.
//!
//! `make budgets` (or `cargo bench --bench budgets`). The big data set is made once in
//! FIELDBOOK_BUDGET_DATA (default target/budget-data) with FIELDBOOK_BUDGET_REFLECTIONS
//! reflections (default 1,000,000).

#[path = "../tests/e2e/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::key::Key;
use harness::Harness;

const RUNS: usize = 5;

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
}

/// A field in kB from a /proc file, in bytes.
fn proc_kb(file: &str, field: &str) -> u64 {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}

/// Memory of a process and everything it started (WebKit's web and network processes are
/// where a page's memory lives): resident (shared libraries counted in each process) and
/// proportional (shared pages divided among the processes that share them).
struct Memory {
    rss: u64,
    pss: u64,
}

impl std::fmt::Display for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} resident, {} proportional",
            mib(self.rss),
            mib(self.pss)
        )
    }
}

fn tree_memory(pid: u32) -> Memory {
    let mut memory = Memory { rss: 0, pss: 0 };
    let mut pending = vec![pid];
    while let Some(p) = pending.pop() {
        memory.rss += proc_kb(&format!("/proc/{p}/status"), "VmRSS:");
        memory.pss += proc_kb(&format!("/proc/{p}/smaps_rollup"), "Pss:");
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let parent = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|pp| pp.parse::<u32>().ok());
            if parent == Some(p) {
                if let Ok(child) = entry.file_name().to_string_lossy().parse() {
                    pending.push(child);
                }
            }
        }
    }
    memory
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// Opens the app on `data_dir` and returns (ms from process start to the first screen of
/// programmes, resident memory then).
async fn open_once(data_dir: &Path) -> (u64, Memory, Harness) {
    let tmp = tempfile::tempdir().unwrap();
    let app = Harness::start_with(tmp, data_dir.to_path_buf()).await;
    app.ready().await;
    app.find(".card-list .version-list").await;
    let ms = app
        .wait_for_js("return document.body.dataset.startupMs;", vec![])
        .await;
    let ms: u64 = ms.as_str().unwrap().parse().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let memory = tree_memory(app.app_pid());
    (ms, memory, app)
}

async fn start_up(name: &str, data_dir: &Path) -> Harness {
    let mut times = Vec::new();
    let mut last = None;
    let mut memory = None;
    for n in 0..RUNS {
        let (ms, used, app) = open_once(data_dir).await;
        times.push(ms);
        memory = Some(used);
        if n + 1 == RUNS {
            last = Some(app);
        } else {
            app.close().await;
        }
    }
    println!(
        "| Start-up to the programmes screen, {name} | {} ms (median of {RUNS}; all: {times:?}) |",
        median(times.clone())
    );
    println!("| Memory after opening, {name} | {} |", memory.unwrap());
    last.unwrap()
}

fn size_of(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this with no arguments,
    // only to see that it builds: measuring then would take many minutes in a debug build.
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "budgets: measured with `make budgets` (cargo bench --bench budgets), not as a test"
        );
        return;
    }
    let release = PathBuf::from(env!("CARGO_BIN_EXE_fieldbook"))
        .parent()
        .unwrap()
        .to_path_buf();
    println!(
        "Fieldbook budgets on {}",
        fieldbook_core::generate::this_machine()
    );
    println!();
    println!("| Budget | Figure |");
    println!("|---|---|");
    // Measure what users install: the binaries from the .deb, unpacked.
    let unpacked = tempfile::tempdir().unwrap();
    let debs: Vec<PathBuf> = std::fs::read_dir(release.join("bundle/deb"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .collect();
    let bin = if let Some(deb) = debs.first() {
        println!("| .deb package | {} |", mib(size_of(deb).unwrap_or(0)));
        let field = std::process::Command::new("dpkg-deb")
            .args(["-f", &deb.to_string_lossy(), "Installed-Size"])
            .output()
            .expect("dpkg-deb reads the package");
        if let Ok(kb) = String::from_utf8_lossy(&field.stdout).trim().parse::<u64>() {
            println!("| Installed size | {} |", mib(kb * 1024));
        }
        let status = std::process::Command::new("dpkg-deb")
            .arg("-x")
            .arg(deb)
            .arg(unpacked.path())
            .status()
            .expect("dpkg-deb unpacks the package");
        assert!(status.success(), "could not unpack {}", deb.display());
        let bin = unpacked.path().join("usr/bin");
        std::env::set_var("FIELDBOOK_APP", bin.join("fieldbook"));
        bin
    } else {
        println!(
            "| .deb package | not built: run `make package` first; measuring the cargo build |"
        );
        release.clone()
    };
    if let Some(n) = size_of(&bin.join("fieldbook")) {
        println!("| App binary (release) | {} |", mib(n));
    }
    if let Some(n) = size_of(&bin.join("fieldbook-cli")) {
        println!("| fieldbook-cli binary (release) | {} |", mib(n));
    }

    // The demo data, as on a first start.
    let demo = tempfile::tempdir().unwrap();
    let demo_dir = demo.path().join("data");
    {
        let store = fieldbook_core::Store::open(&demo_dir).await.unwrap();
        fieldbook_core::demo::seed_demo(&store).await.unwrap();
        store.close().await;
    }
    start_up("demo data", &demo_dir).await.close().await;

    // The big data set, made once.
    let big_dir = std::env::var_os("FIELDBOOK_BUDGET_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| release.join("../budget-data"));
    let wanted: u64 = std::env::var("FIELDBOOK_BUDGET_REFLECTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    {
        let store = fieldbook_core::Store::open(&big_dir).await.unwrap();
        let have = store.counts().await.unwrap()["reflection"] as u64;
        if have < wanted {
            eprintln!(
                "Making {} reflections in {} (once)...",
                wanted - have,
                big_dir.display()
            );
            fieldbook_core::generate::generate(&store, wanted - have, have + 1, |_| {})
                .await
                .unwrap();
        }
        store.close().await;
    }
    let app = start_up(&format!("{wanted} reflections"), &big_dir).await;

    // Scroll the whole reflections list, then measure memory again.
    app.shortcut(5, "Reflections").await;
    app.find("#reflection-list [data-id]").await;
    app.focus("reflection-list").await;
    let list = app.find("#reflection-list").await;
    for _ in 0..50 {
        list.send_keys(&Key::PageDown.to_string()).await.unwrap();
    }
    for step in 1..=20 {
        app.scroll("reflection-list", f64::from(step) / 20.0).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    list.send_keys(&Key::End.to_string()).await.unwrap();
    app.wait_for_js("return [...document.querySelectorAll('#reflection-list [role=option]')].some((r) => r.dataset.id && Number(r.getAttribute('aria-posinset')) === Number(r.getAttribute('aria-setsize')));", vec![]).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!(
        "| Memory after scrolling the reflections list to its end, {wanted} reflections | {} |",
        tree_memory(app.app_pid())
    );
    app.close().await;
}
