//! Fieldbook's core: the domain, the SQLite store and everything that is not window plumbing.
//! The desktop app and `fieldbook-cli` are thin layers over this crate.

pub mod agenda;
pub mod backup;
pub mod calendar;
pub mod clock;
pub mod compare;
pub mod day;
pub mod demo;
pub mod design;
pub mod domain;
pub mod erasure;
pub mod error;
pub mod export;
pub mod generate;
pub mod merge;
pub mod participant_list;
pub mod paths;
pub mod phones;
pub mod pseudonym;
pub mod qda;
pub mod run;
pub mod search;
pub mod snapshot;
pub mod store;
pub mod sync;
pub mod themes;
pub mod views;
pub mod welcome;

pub use error::{Error, Result};
pub use store::{Select, Store};
