//! The baseline loop, shared by `baseline` (the system allocator) and `baseline_mimalloc` (the
//! allocator spelunk's binary uses): parse every line with serde_json into a `Value` and read
//! one field, nothing else.

use std::io::BufRead;

pub fn run() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(field)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: baseline FILE FIELD");
        std::process::exit(2);
    };
    let Ok(file) = std::fs::File::open(path) else {
        eprintln!("cannot open {path}");
        std::process::exit(2);
    };
    let (mut lines, mut found) = (0u64, 0u64);
    for line in std::io::BufReader::new(file).lines().map_while(Result::ok) {
        lines += 1;
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) {
            if value.get(field.as_str()).is_some() {
                found += 1;
            }
        }
    }
    println!("{lines} lines, {found} with `{field}`");
}
