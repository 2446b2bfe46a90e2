//! Any bytes at all, read as a bundle protected with a passphrase (the one the seeds in
//! `fuzz/seeds/import_encrypted_bundle` were made with): the reader must refuse with a message
//! or accept, never panic, hang or allocate without bound. Slow by nature: each input that
//! looks encrypted costs the passphrase's key derivation, a second or more.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fieldbook_core::sync::read_bundle(data, Some("a passphrase"));
});
