//! The core's integration tests, one module a subject, in one test binary (autotests = false in
//! Cargo.toml) to keep link time down. Run one subject with `cargo test -p fieldbook-core --test
//! core sync::`.

mod common;

mod day;
mod design;
mod export;
mod phones;
mod privacy;
mod rules;
mod search;
mod store;
mod sync;
mod themes;

/// With autotests = false, a test file that is neither a module here nor a [[test]] of its own
/// in Cargo.toml would never be built, and its tests would silently not run.
#[test]
fn every_test_file_is_built() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let here = include_str!("core.rs");
    for entry in std::fs::read_dir(dir.join("tests")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") || path.ends_with("core.rs") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap();
        let file = format!("tests/{name}.rs");
        assert!(
            here.contains(&format!("\nmod {name};"))
                || manifest.contains(&format!("path = \"{file}\"")),
            "{file} is not built: add `mod {name};` to tests/core.rs"
        );
    }
}
