//! The fast event parser against serde: whatever the fast path accepts, serde accepts and
//! reads the same, with every field kept and with a few projections.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spelunk::eval::event::check_fast_path;
use spelunk::optimize::Projection;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fields = |names: &[&str]| Projection::Fields(names.iter().map(|s| s.to_string()).collect());
    for projection in [
        Projection::All,
        fields(&["a", "b.c", "d{}.e"]),
        fields(&["a.b", "x", "_raw"]),
    ] {
        if let Err(e) = check_fast_path(text, &projection) {
            panic!("{e}: {text:?}");
        }
    }
});
