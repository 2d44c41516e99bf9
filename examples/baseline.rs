//! The benchmark baseline: parse every line with serde_json into a `Value` and read one field,
//! nothing else (benches/run.sh compares spelunk with it on the same file). It uses the system
//! allocator, as the plain loop the performance targets name; `baseline_mimalloc` is the same
//! loop with spelunk's allocator.
//!
//! usage: cargo run --release --example baseline -- FILE FIELD

#[path = "support/baseline_loop.rs"]
mod baseline_loop;

fn main() {
    baseline_loop::run();
}
