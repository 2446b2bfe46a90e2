//! Output piped into a reader that stops early (`fieldbook-cli exercises | head -1`).

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use super::{assert_ok, cli, fieldbook};

#[test]
fn output_into_a_closed_pipe_ends_quietly_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&cli(dir.path(), &["seed-demo"]));
    for args in [&["exercises"][..], &["programmes", "--json"][..]] {
        let mut child = fieldbook(dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before anything is read: every write finds the pipe closed.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.is_empty(), "{args:?} said: {said}");
        // Ended by the closed pipe, as `cat` or `grep` would be, or finished before noticing.
        assert!(
            output.status.success() || output.status.signal() == Some(13),
            "{args:?}: {:?}",
            output.status
        );
    }
}
