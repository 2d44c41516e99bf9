//! The seed detection (T1071.003, "Detect Mail Protocols in Splunk") runs verbatim over its shipped
//! events and returns, row for row and in order, the table worked out by hand from Splunk's
//! documented semantics (rules/tests/t1071_003_mail_protocols/README.md explains every row).

use std::path::Path;
use std::process::Command;

const RULE: &str = "rules/spl/t1071_003_mail_protocols.spl";
const EVENTS: &str = "rules/tests/t1071_003_mail_protocols/events.ndjson";
const EXPECTED: &str = "rules/tests/t1071_003_mail_protocols/expected.ndjson";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn expected_rows() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(root().join(EXPECTED)).expect("expected rows");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("expected row is JSON"))
        .collect()
}

#[test]
fn seed_rule_is_the_seed_document_verbatim() {
    let seed = root().join("../shared/corpus/seed/T1071.003-splunk-detection.txt");
    let Ok(document) = std::fs::read_to_string(&seed) else {
        println!(
            "skipped: {} is absent (../shared is only beside CI's clone)",
            seed.display()
        );
        return;
    };
    let rule = std::fs::read_to_string(root().join(RULE)).expect("rule");
    assert!(
        document.contains(rule.trim_end()),
        "the shipped rule differs from the seed document"
    );
}

#[test]
fn seed_matches_expected_rows_through_the_cli() {
    let output = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .current_dir(root())
        .args(["run", RULE, EVENTS, "--format", "json"])
        .output()
        .expect("spelunk runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let actual: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("row is JSON"))
        .collect();
    assert_eq!(actual, expected_rows());
}

#[test]
fn seed_json_rows_keep_the_table_column_order() {
    let output = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .current_dir(root())
        .args(["run", RULE, EVENTS, "--format", "json"])
        .output()
        .expect("spelunk runs");
    let first = String::from_utf8(output.stdout).expect("utf-8");
    let first = first.lines().next().expect("a row");
    let keys: Vec<String> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(first)
            .expect("object")
            .keys()
            .cloned()
            .collect();
    let table = [
        "FirstSeen",
        "LastSeen",
        "src_ip",
        "dest_ip",
        "Protocol",
        "dest_port",
        "process_name",
        "Users",
        "ConnectionCount",
        "BytesSent",
        "Severity",
    ];
    assert_eq!(keys, table);
}

#[test]
fn seed_matches_expected_rows_through_the_library() {
    let rule = std::fs::read_to_string(root().join(RULE)).expect("rule");
    let plan =
        spelunk::compile(&spelunk::spl_to_ir(&rule).expect("seed parses")).expect("seed compiles");
    let mut run = plan.start();
    let mut bad = 0;
    spelunk::io::read_path(
        root().join(EVENTS).to_str().expect("utf-8 path"),
        &Default::default(),
        &mut |r| run.push(r),
        &mut |_| bad += 1,
    )
    .expect("events readable");
    assert_eq!(bad, 0);
    let results = run.finish();
    let rows: Vec<serde_json::Value> = results
        .rows
        .iter()
        .map(|r| spelunk::output::row_json(&results.columns, r))
        .collect();
    assert_eq!(rows, expected_rows());
}

#[test]
fn seed_finds_nothing_in_the_synthetic_netproto_sample() {
    // The corpus sample uses index=netproto, which the seed's `index=network OR index=firewall` excludes.
    let sample = root().join("../shared/corpus/events/synthetic_email_firewall_events.ndjson");
    if !sample.exists() {
        println!(
            "skipped: {} is absent (../shared is only beside CI's clone)",
            sample.display()
        );
        return;
    }
    let output = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .current_dir(root())
        .args([
            "run",
            RULE,
            sample.to_str().expect("utf-8"),
            "--format",
            "json",
        ])
        .output()
        .expect("spelunk runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // With the index overridden to one the rule searches, its allowed mail traffic is counted.
    let output = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .current_dir(root())
        .args([
            "run",
            "-q",
            "index=netproto | stats count",
            sample.to_str().expect("utf-8"),
            "--format",
            "json",
        ])
        .output()
        .expect("spelunk runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("{\"count\":"), "{text}");
}
