//! The Python with the test packages, running the scripts in crates/cli/tests/python that write
//! and read the files of other tools (openpyxl, odfpy, pyqdpx, icalendar). Shared by the CLI's
//! tests and the end-to-end tests (tests/e2e/files.rs includes this file).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's root: the nearest folder at or above this crate that holds Cargo.lock.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .expect("the crate is in a workspace with a Cargo.lock")
        .to_path_buf()
}

/// The Python with the test packages, installed by `scripts/dev deps` (or FIELDBOOK_PYTHON).
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("FIELDBOOK_PYTHON") {
        return p.into();
    }
    let p = workspace().join("target/py/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run `scripts/dev deps` to install the Python packages the tests use",
        p.display()
    );
    p
}

/// Runs `script` (a file in crates/cli/tests/python) with `args` and returns what it printed;
/// fails the test if the script fails.
pub fn run_python(script: &str, args: &[&Path]) -> String {
    let script = workspace().join("crates/cli/tests/python").join(script);
    let out = Command::new(python())
        .arg(&script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
