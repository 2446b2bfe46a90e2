//! Which version of a record wins, from the versions a laptop holds: a pure function, the same
//! on every laptop that holds the same versions, whatever order they arrived in.

use std::collections::HashSet;

use crate::clock::Stamp;

/// One version of a record, as the change log knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub stamp: Stamp,
    /// The version it was written on top of.
    pub parent: Option<Stamp>,
    /// Versions a conflict resolution replaced.
    pub resolves: Vec<Stamp>,
    pub deleted: bool,
}

/// The winner and the other concurrent versions (the conflicts) of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub winner: Stamp,
    pub losers: Vec<Stamp>,
}

/// The heads are the versions nobody has written on top of. A delete among them wins, so an
/// edit made without seeing the delete never brings the record back; otherwise the highest
/// stamp wins. The other heads stay, as conflicts to show, never dropped.
pub fn outcome(versions: &[Version]) -> Option<Outcome> {
    let superseded: HashSet<Stamp> = versions
        .iter()
        .flat_map(|v| v.parent.iter().chain(&v.resolves).copied())
        .collect();
    let mut heads: Vec<&Version> = versions
        .iter()
        .filter(|v| !superseded.contains(&v.stamp))
        .collect();
    if heads.is_empty() {
        // A cycle cannot be written by Fieldbook; fall back to the latest version.
        heads = versions.iter().collect();
    }
    let any_delete = heads.iter().any(|v| v.deleted);
    let winner = heads
        .iter()
        .filter(|v| v.deleted || !any_delete)
        .map(|v| v.stamp)
        .max()?;
    let mut losers: Vec<Stamp> = heads
        .iter()
        .map(|v| v.stamp)
        .filter(|s| *s != winner)
        .collect();
    losers.sort();
    losers.dedup();
    Some(Outcome { winner, losers })
}

/// Stamps and versions for the sync tests, written once.
#[cfg(test)]
pub(crate) mod testing {
    use super::Version;
    use crate::clock::Stamp;
    use uuid::Uuid;

    /// A stamp at `ms` from device number `device`.
    pub fn stamp(ms: i64, device: u128) -> Stamp {
        Stamp {
            ms,
            counter: 0,
            device: Uuid::from_u128(device),
        }
    }

    /// A version written on `parent` that resolves nothing.
    pub fn version(s: Stamp, parent: Option<Stamp>, deleted: bool) -> Version {
        Version {
            stamp: s,
            parent,
            resolves: vec![],
            deleted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{stamp, version as v};
    use super::*;

    /// Asserts who wins among `versions` and which versions stay as conflicts.
    fn assert_outcome(versions: &[Version], winner: Stamp, losers: Vec<Stamp>) {
        assert_eq!(outcome(versions), Some(Outcome { winner, losers }));
    }

    #[test]
    fn a_straight_history_has_one_head_and_no_conflict() {
        let (a, b, c) = (stamp(1, 1), stamp(2, 1), stamp(3, 2));
        assert_outcome(
            &[
                v(c, Some(b), false),
                v(a, None, false),
                v(b, Some(a), false),
            ],
            c,
            vec![],
        );
    }

    #[test]
    fn concurrent_edits_keep_the_loser_as_a_conflict_whatever_the_order() {
        let base = stamp(1, 1);
        let (x, y) = (stamp(5, 1), stamp(4, 2));
        let versions = [
            v(base, None, false),
            v(x, Some(base), false),
            v(y, Some(base), false),
        ];
        let mut reversed = versions.clone();
        reversed.reverse();
        assert_outcome(&versions, x, vec![y]);
        assert_outcome(&reversed, x, vec![y]);
    }

    #[test]
    fn a_delete_beats_a_later_concurrent_edit() {
        let base = stamp(1, 1);
        let (delete, edit) = (stamp(2, 1), stamp(9, 2));
        assert_outcome(
            &[
                v(base, None, false),
                v(delete, Some(base), true),
                v(edit, Some(base), false),
            ],
            delete,
            vec![edit],
        );
    }

    #[test]
    fn an_edit_made_after_seeing_the_delete_restores_the_record() {
        let base = stamp(1, 1);
        let (delete, restore) = (stamp(2, 1), stamp(3, 2));
        assert_outcome(
            &[
                v(base, None, false),
                v(delete, Some(base), true),
                v(restore, Some(delete), false),
            ],
            restore,
            vec![],
        );
    }

    #[test]
    fn a_resolution_settles_the_versions_it_names() {
        let base = stamp(1, 1);
        let (x, y) = (stamp(5, 1), stamp(4, 2));
        let settle = Version {
            stamp: stamp(6, 2),
            parent: Some(x),
            resolves: vec![y],
            deleted: false,
        };
        assert_outcome(
            &[
                v(base, None, false),
                v(x, Some(base), false),
                v(y, Some(base), false),
                settle,
            ],
            stamp(6, 2),
            vec![],
        );
    }
}
