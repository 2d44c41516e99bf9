//! The shipped Sigma port of the seed (rules/sigma/t1071_003_mail_protocols.yml), run by spelunk's
//! Sigma engine over the seed's events, finds the same groups as the SPL detection.

use spelunk::eval::event::EventOptions;
use std::collections::BTreeSet;
use std::path::Path;

const GROUP: [&str; 4] = ["src_ip", "dest_ip", "dest_port", "process_name"];

fn key(row: &serde_json::Value) -> String {
    GROUP
        .iter()
        .map(|f| match &row[f] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("|")
}

#[test]
fn sigma_port_finds_the_seed_groups() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rule = std::fs::read_to_string(root.join("rules/sigma/t1071_003_mail_protocols.yml"))
        .expect("port");
    let dir = root.join("rules/tests/t1071_003_mail_protocols");
    let mut records = Vec::new();
    let file = std::fs::File::open(dir.join("events.ndjson")).expect("events");
    spelunk::io::read_events(
        file,
        "events",
        &EventOptions::default(),
        &mut |r| records.push(r),
        &mut |_| {},
    )
    .expect("read");
    let results = spelunk::run_sigma(&rule, records).expect("runs");
    let found: BTreeSet<String> = results
        .rows
        .iter()
        .map(|r| key(&spelunk::output::row_json(&results.columns, r)))
        .collect();
    let expected: BTreeSet<String> = std::fs::read_to_string(dir.join("expected.ndjson"))
        .expect("expected")
        .lines()
        .map(|l| key(&serde_json::from_str(l).expect("json")))
        .collect();
    assert_eq!(found, expected);
}
