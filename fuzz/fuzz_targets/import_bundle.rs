//! Any bytes at all, read as a sync bundle: the reader must refuse with a message or accept,
//! never panic, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fieldbook_core::sync::read_bundle(data, None);
    let _ = fieldbook_core::sync::read_bundle(data, Some("a passphrase"));
});
