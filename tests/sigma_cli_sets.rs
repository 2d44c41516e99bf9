//! Sigma through the CLI with other files and pipelines: `--with` brings rules a correlation names
//! and filters that apply; `--pipeline NAME|FILE` maps fields, for `run` and `parse`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn spelunk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .output()
        .expect("spelunk runs")
}

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spelunk-sets-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &std::path::Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(&path, content).expect("write temp file");
    path.display().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const BASE: &str = "title: failed logon
name: failed_logon
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4625}
  condition: sel
";

const FILTER: &str = "title: not the scanner
logsource: {product: windows}
filter:
  rules: [failed_logon]
  scanner: {User: scanner}
  condition: not scanner
";

const CORRELATION: &str = "title: many failed logons
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [User]
  timespan: 1m
  condition: {gte: 2}
";

const EVENTS: &str = r#"{"_time": 0, "EventID": 4625, "User": "alice"}
{"_time": 5, "EventID": 4625, "User": "alice"}
{"_time": 0, "EventID": 4625, "User": "scanner"}
{"_time": 5, "EventID": 4625, "User": "scanner"}
"#;

#[test]
fn with_brings_named_rules_and_filters_from_a_folder() {
    let dir = temp_dir("with");
    write(&dir, "lib/base.yml", BASE);
    write(&dir, "lib/filters/scanner.yml", FILTER);
    let rule = write(&dir, "corr.yml", CORRELATION);
    let events = write(&dir, "e.json", EVENTS);
    let lib = dir.join("lib").display().to_string();
    let o = spelunk(&["run", &rule, &events, "--with", &lib, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("\"User\":\"alice\""), "{out}");
    assert!(out.contains("\"event_count\":2"), "{out}");
}

#[test]
fn without_with_the_named_rule_is_missing() {
    let dir = temp_dir("without");
    let rule = write(&dir, "corr.yml", CORRELATION);
    let o = spelunk(&["parse", &rule, "--emit", "ir"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("failed_logon") && err.contains("--with"),
        "{err}"
    );
    assert!(err.contains("corr.yml:"), "{err}");
}

#[test]
fn pipeline_by_name_and_file_for_run_and_parse() {
    let dir = temp_dir("pipeline");
    let rule = write(
        &dir,
        "r.yml",
        "title: r\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel: {Image|endswith: '\\cmd.exe'}\n  condition: sel\n",
    );
    let o = spelunk(&["parse", &rule, "--emit", "ir", "--pipeline", "ecs"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("process.executable"));
    let own = write(
        &dir,
        "p.yml",
        "name: mine\ntransformations:\n  - type: field_name_mapping\n    mapping: {Image: exe}\n",
    );
    let events = write(
        &dir,
        "e.json",
        "{\"exe\": \"C:\\\\cmd.exe\"}\n{\"Image\": \"C:\\\\cmd.exe\"}\n",
    );
    let o = spelunk(&[
        "run",
        &rule,
        &events,
        "--pipeline",
        &own,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).lines().count(), 1, "{}", text(&o.stdout));
    let o = spelunk(&["parse", &rule, "--pipeline", "nonesuch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("sysmon, windows-audit, splunk-cim, ecs"));
}
