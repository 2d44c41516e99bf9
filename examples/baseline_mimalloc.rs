//! The benchmark baseline (see `baseline`) with mimalloc, the allocator spelunk's binary uses:
//! the same comparison without the allocator's part in it.
//!
//! usage: cargo run --release --example baseline_mimalloc -- FILE FIELD

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/baseline_loop.rs"]
mod baseline_loop;

fn main() {
    baseline_loop::run();
}
