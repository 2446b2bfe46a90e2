//! The core's integration tests, one module a subject, in one test binary (autotests = false in
//! Cargo.toml) to keep link time down. Run one subject with `cargo test -p fieldbook-core --test
//! core sync::`. The export tests are a binary of their own (tests/export.rs).

mod common;

mod day;
mod design;
mod phones;
mod privacy;
mod search;
mod store;
mod sync;
mod themes;
