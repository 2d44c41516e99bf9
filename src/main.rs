//! The `spelunk` binary: a thin shell over the library.

fn main() {
    std::process::exit(spelunk::cli::main());
}
