//! End-to-end tests: the real Fieldbook window, driven through WebDriver as a facilitator
//! would use it, one module a journey. Each test starts its own display, driver and app on a
//! temporary data folder (`harness`); the demo content and the ways through it that journeys
//! share are in `fixtures`.

mod fixtures;
mod harness;
#[path = "../../crates/core/tests/common/poppler.rs"]
mod poppler;
#[path = "../../crates/core/tests/common/sync_files.rs"]
mod sync_files;

mod care;
mod design;
mod export;
mod files;
mod phone;
mod review;
mod running;
mod sync;
mod window;
