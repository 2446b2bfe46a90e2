//! Any bytes at all, read as a sync bundle: the reader must refuse with a message or accept,
//! never panic, hang or allocate without bound.
//!
//! With no passphrase: for anything but an encrypted bundle a passphrase changes nothing,
//! and for an encrypted one it costs the key derivation (about a second), which would slow
//! this target a thousandfold. Encrypted bundles have their own target,
//! `import_encrypted_bundle`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fieldbook_core::sync::read_bundle(data, None);
});
