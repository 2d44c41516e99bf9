//! The `spelunk` binary: a thin shell over the library.

/// mimalloc: events are many small short-lived allocations (field names, values, rows); it
/// measured faster than the system allocator on the benchmarks (benches/run.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(spelunk::cli::main());
}
