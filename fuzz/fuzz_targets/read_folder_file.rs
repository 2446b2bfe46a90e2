//! A file in the sync folder: its name and its bytes, as "NAME\nBYTES". The name decides how
//! the file is read (a segment must hold what its name says), so the fuzzer mutates both.
//! Must refuse with a message or accept, never panic, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, bytes) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&data[..0], data),
    };
    let name = String::from_utf8_lossy(name);
    let _ = fieldbook_core::sync::folder::read_folder_file(&name, bytes, None);
});
