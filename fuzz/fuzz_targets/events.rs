//! Bytes → events (NDJSON, multi-line and concatenated objects, JSON arrays): never a panic;
//! every line is either an event or a counted bad line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spelunk::eval::event::EventOptions;

fuzz_target!(|data: &[u8]| {
    let opts = EventOptions::default();
    let (mut good, mut bad) = (0usize, 0usize);
    let _ = spelunk::io::read_events(
        data,
        "fuzz",
        &opts,
        &mut |r| {
            good += 1;
            let _ = r.time();
        },
        &mut |b| {
            bad += 1;
            let _ = b.to_diagnostic().to_string();
        },
    );
});
