//! Sigma in the detection workflow, through the binary: `spelunk test` with inline `tests:` cases
//! and SigmaHQ `regression_data/**/info.yml`, `spelunk hunt` over Sigma and SPL rules together
//! (correlations and filters across files), `spelunk explain` of a Sigma file; exit codes 0/1/2.

use std::path::Path;

mod common;
use common::*;

const WHOAMI: &str = r#"title: Whoami run
id: 6c1f2a55-1d3e-4b8e-9a51-2f0b7c8d9e01
status: experimental
tags: [attack.discovery, attack.t1033]
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\whoami.exe'
  condition: selection
level: low
"#;

#[test]
fn inline_cases_pass_fail_and_exit_codes() {
    let dir = temp_dir("sigwf", "inline");
    let good = format!(
        "{WHOAMI}tests:\n  - name: whoami fires\n    match:\n      - {{Image: 'C:\\Windows\\System32\\whoami.exe'}}\n  - no_match:\n      - {{Image: 'C:\\Windows\\System32\\hostname.exe'}}\n  - name: counted\n    events:\n      - {{Image: 'C:\\x\\whoami.exe'}}\n      - {{Image: 'C:\\y\\whoami.exe'}}\n      - {{Image: 'C:\\y\\cmd.exe'}}\n    count: 2\n"
    );
    write(&dir, "good/whoami.yml", &good);
    let o = spelunk_in(&dir, &["test", "good"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(
        text.contains("PASS good/whoami.yml › whoami fires"),
        "{text}"
    );
    assert!(text.contains("PASS good/whoami.yml › no_match 2"), "{text}");
    assert!(text.contains("PASS good/whoami.yml › counted"), "{text}");
    assert!(text.trim_end().ends_with("3 passed, 0 failed"), "{text}");

    let bad = format!(
        "{WHOAMI}tests:\n  - name: whoami fires\n    match:\n      - {{Image: 'C:\\Windows\\System32\\whoami.exe'}}\n  - name: every match event must match\n    match:\n      - {{Image: 'C:\\Windows\\System32\\whoami.exe'}}\n      - {{Image: 'C:\\Windows\\System32\\hostname.exe'}}\n  - name: a negative case that fires\n    no_match:\n      - {{Image: 'C:\\Windows\\System32\\whoami.exe', User: bob}}\n"
    );
    write(&dir, "bad/whoami.yml", &bad);
    let o = spelunk_in(&dir, &["test", "bad"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(
        text.contains("PASS bad/whoami.yml › whoami fires"),
        "{text}"
    );
    assert!(
        text.contains(
            "FAIL bad/whoami.yml › every match event must match\n     expected 2 row(s), got 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("FAIL bad/whoami.yml › a negative case that fires\n     expected no results, got 1 row(s)"),
        "{text}"
    );
    assert!(text.contains("\"User\":\"bob\""), "{text}");
    assert!(text.trim_end().ends_with("1 passed, 2 failed"), "{text}");

    // A malformed `tests:` block and a broken rule fail (exit 1) rather than vanish.
    let unknown_key = format!("{WHOAMI}tests:\n  - name: typo\n    matches: [{{a: 1}}]\n");
    write(&dir, "broken/typo.yml", &unknown_key);
    let broken_rule = "title: Broken\nlogsource: {product: windows}\ndetection:\n  sel: {a: 1}\n  condition: sel and nothere\ntests:\n  - match: [{a: 1}]\n";
    write(&dir, "broken/rule.yml", broken_rule);
    let o = spelunk_in(&dir, &["test", "broken"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(text.contains("FAIL broken/typo.yml › (tests)"), "{text}");
    assert!(text.contains("unknown field `matches`"), "{text}");
    assert!(text.contains("FAIL broken/rule.yml › match 1"), "{text}");
    assert!(text.contains("nothere"), "{text}");
    assert!(text.trim_end().ends_with("0 passed, 2 failed"), "{text}");

    // A Sigma rule without `tests:` is no test; nothing found is bad usage.
    write(&dir, "none/whoami.yml", WHOAMI);
    let o = spelunk_in(&dir, &["test", "none"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("no tests found"), "{}", err(&o));
}

#[test]
fn inline_cases_of_a_correlation_and_its_hidden_rule() {
    let o = spelunk_in(
        root(),
        &[
            "test",
            "rules/sigma/windows/win_security_failed_logon_burst.yml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(
        text.contains("PASS rules/sigma/windows/win_security_failed_logon_burst.yml › Failed logon: a failed logon is a hit"),
        "{text}"
    );
    assert!(
        text.contains("› Burst of failed logons for one account from one address: four failures are below the threshold"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("6 passed, 0 failed"), "{text}");
}

/// A SigmaHQ-style root: `rules/` and `regression_data/` mirroring it.
fn mini_root(dir: &Path, match_count: &str) {
    write(dir, "rules/windows/whoami.yml", WHOAMI);
    write(
        dir,
        "regression_data/rules/windows/whoami/info.yml",
        &format!(
            "id: 11111111-2222-4333-8444-555555555555\nrule_metadata:\n    - id: 6c1f2a55-1d3e-4b8e-9a51-2f0b7c8d9e01\n      title: Whoami run\nregression_tests_info:\n    - name: Positive Detection Test\n      type: evtx\n{match_count}      path: regression_data/rules/windows/whoami/6c1f2a55-1d3e-4b8e-9a51-2f0b7c8d9e01.evtx\n"
        ),
    );
    // Only the JSON copy is there: it is used in place of the missing .evtx.
    write(
        dir,
        "regression_data/rules/windows/whoami/6c1f2a55-1d3e-4b8e-9a51-2f0b7c8d9e01.json",
        "{\"Event\":{\"System\":{\"EventID\":1},\"EventData\":{\"Image\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\"}}}\n{\"Event\":{\"System\":{\"EventID\":1},\"EventData\":{\"Image\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\"}}}\n",
    );
}

#[test]
fn regression_info_yml_counts_pass_and_fail() {
    let dir = temp_dir("sigwf", "regression");
    mini_root(&dir, "      match_count: 2\n");
    let o = spelunk_in(&dir, &["test", "."]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(
        text.contains("PASS ./rules/windows/whoami.yml › regression: Positive Detection Test\n"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("1 passed, 0 failed"), "{text}");

    mini_root(&dir, "      match_count: 1\n");
    let o = spelunk_in(&dir, &["test", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("FAIL ./rules/windows/whoami.yml › regression: Positive Detection Test\n     expected 1 row(s), got 2"),
        "{}",
        out(&o)
    );

    // No match_count: at least one. The rule is found by id when the paths do not mirror.
    mini_root(&dir, "");
    std::fs::rename(
        dir.join("rules/windows/whoami.yml"),
        dir.join("rules/moved.yml"),
    )
    .unwrap();
    let o = spelunk_in(&dir, &["test", "regression_data"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        out(&o).contains(
            "PASS ./rules/moved.yml › regression: Positive Detection Test (no match_count: at least 1)"
        ),
        "{}",
        out(&o)
    );

    // Events that are nowhere: SKIP; a rule id that is nowhere: FAIL.
    std::fs::remove_file(
        dir.join("regression_data/rules/windows/whoami/6c1f2a55-1d3e-4b8e-9a51-2f0b7c8d9e01.json"),
    )
    .unwrap();
    let o = spelunk_in(&dir, &["test", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(out(&o).contains("SKIP ./rules/moved.yml › regression: Positive Detection Test (no match_count: at least 1): events file not found"), "{}", out(&o));
    assert!(
        out(&o).contains("0 passed, 0 failed, 1 skipped"),
        "{}",
        out(&o)
    );
    std::fs::remove_file(dir.join("rules/moved.yml")).unwrap();
    let o = spelunk_in(&dir, &["test", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("no rule with id 6c1f2a55-1d3e-4b8e-9a51-2f0b7c8d9e01 (`Whoami run`)"),
        "{}",
        out(&o)
    );
}

#[test]
fn sigmahq_regression_data_passes_through_spelunk_test() {
    let corpus = root().join("../shared/corpus/sigmahq");
    if !corpus.join("regression_data").is_dir() {
        println!("skipped: ../shared/corpus/sigmahq/regression_data is absent");
        return;
    }
    let o = spelunk_in(root(), &["test", "../shared/corpus/sigmahq"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let text = out(&o);
    let passes = text.lines().filter(|l| l.starts_with("PASS ")).count();
    assert_eq!(passes, 202, "{text}");
    assert!(
        text.contains("file_event_win_anydesk_artefact.yml › regression: Positive Detection Test (declared match_count 1 under-counts: at least 1)"),
        "{text}"
    );
    assert!(
        text.trim_end().ends_with("202 passed, 0 failed, 1 skipped"),
        "{text}"
    );
}

const EVENTS: &str = r#"{"_time":1737367200,"Event":{"System":{"EventID":1,"Computer":"ws1"},"EventData":{"Image":"C:\\Windows\\System32\\whoami.exe","CommandLine":"whoami /all","User":"LAB\\bob"}}}
{"_time":1737367260,"Event":{"System":{"EventID":1,"Computer":"ws2"},"EventData":{"Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","CommandLine":"powershell -enc SQBFAFgA"}}}
{"_time":1737367300,"EventID":4625,"TargetUserName":"alice","IpAddress":"192.0.2.10"}
{"_time":1737367310,"EventID":4625,"TargetUserName":"alice","IpAddress":"192.0.2.10"}
{"_time":1737367320,"EventID":4625,"TargetUserName":"alice","IpAddress":"192.0.2.10"}
{"_time":1737367330,"EventID":4625,"TargetUserName":"alice","IpAddress":"192.0.2.10"}
{"_time":1737367340,"EventID":4625,"TargetUserName":"alice","IpAddress":"192.0.2.10"}
"#;

#[test]
fn hunt_runs_sigma_and_spl_rules_together() {
    let dir = temp_dir("sigwf", "hunt");
    write(&dir, "rules/whoami.yml", WHOAMI);
    std::fs::copy(
        root().join("rules/sigma/windows/proc_creation_win_powershell_encoded_command.yml"),
        dir.join("rules/encoded.yml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("rules/sigma/windows/win_security_failed_logon_burst.yml"),
        dir.join("rules/burst.yml"),
    )
    .unwrap();
    write(
        &dir,
        "rules/fail.spl",
        "EventID=4625 | stats count by TargetUserName\n",
    );
    write(&dir, "events.json", EVENTS);
    let o = spelunk_in(&dir, &["hunt", "-r", "rules", "events.json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let hits = rows(&o);
    let titles: Vec<&str> = hits.iter().map(|h| h["rule"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Burst of failed logons for one account from one address",
            "PowerShell started with an encoded command",
            "fail",
            "Whoami run"
        ],
        "{}",
        out(&o)
    );
    // The correlation's base rule (`Failed logon`) only feeds it: it is not a rule of the hunt.
    assert!(!err(&o).contains("Failed logon "), "{}", err(&o));
    let burst = &hits[0];
    assert_eq!(burst["level"], "medium");
    assert_eq!(burst["_time"], 1737367300);
    assert_eq!(burst["TargetUserName"], "alice");
    assert_eq!(burst["event_count"], 5);
    assert_eq!(hits[2]["count"], 5);
    let whoami = &hits[3];
    assert_eq!(whoami["level"], "low");
    assert_eq!(whoami["_time"], 1737367200);
    assert_eq!(whoami["Event.System.Computer"], "ws1");
    assert_eq!(whoami["Event.EventData.CommandLine"], "whoami /all");
    assert!(
        err(&o).contains("4 hit(s) from 4 of 4 rule(s) over 7 event(s) (high 1, medium 1, low 1)"),
        "{}",
        err(&o)
    );

    let high = spelunk_in(
        &dir,
        &["hunt", "-r", "rules", "--level", "high", "events.json"],
    );
    assert_eq!(high.status.code(), Some(0));
    let titles: Vec<String> = rows(&high)
        .iter()
        .map(|h| h["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, ["PowerShell started with an encoded command"]);
    let tagged = spelunk_in(
        &dir,
        &[
            "hunt",
            "-r",
            "rules",
            "--tags",
            "attack.t1110",
            "events.json",
        ],
    );
    assert_eq!(rows(&tagged).len(), 1, "{}", out(&tagged));
    assert_eq!(rows(&tagged)[0]["event_count"], 5);
}

#[test]
fn hunt_applies_correlations_and_filters_across_files() {
    let dir = temp_dir("sigwf", "hunt-set");
    write(
        &dir,
        "rules/base.yml",
        "title: Failed logon\nname: failed_logon\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {EventID: 4625}\n  condition: sel\nlevel: low\n",
    );
    write(
        &dir,
        "rules/burst.yml",
        "title: Three failures\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: {gte: 3}\nlevel: high\n",
    );
    write(
        &dir,
        "rules/not_alice.yml",
        "title: Alice is a test account\nlogsource: {product: windows}\nfilter:\n  rules: [failed_logon]\n  sel: {TargetUserName: alice}\n  condition: not sel\n",
    );
    let mut events = EVENTS.to_string();
    for t in 0..3 {
        events.push_str(&format!(
            "{{\"_time\":{},\"EventID\":4625,\"TargetUserName\":\"carol\"}}\n",
            1737367400 + t
        ));
    }
    write(&dir, "events.json", &events);
    let o = spelunk_in(&dir, &["hunt", "-r", "rules", "events.json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let hits = rows(&o);
    assert_eq!(hits.len(), 1, "{}", out(&o));
    assert_eq!(hits[0]["rule"], "Three failures");
    assert_eq!(hits[0]["TargetUserName"], "carol");
    assert!(
        err(&o).contains("1 hit(s) from 1 of 1 rule(s)"),
        "{}",
        err(&o)
    );

    // A broken Sigma file stops the hunt before reading events: exit 2 with the diagnostic.
    write(&dir, "rules/broken.yml", "title: Broken\nlogsource: {product: windows}\ndetection:\n  sel: {a: 1}\n  condition: sel or\n");
    let o = spelunk_in(&dir, &["hunt", "-r", "rules", "events.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("rules/broken.yml"), "{}", err(&o));
}

#[test]
fn explain_shows_a_sigma_rule() {
    let o = spelunk_in(
        root(),
        &[
            "explain",
            "rules/sigma/windows/proc_creation_win_powershell_encoded_command.yml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.starts_with("rule:     PowerShell started with an encoded command (Sigma, rules/sigma/windows/proc_creation_win_powershell_encoded_command.yml)\n"),
        "{text}"
    );
    assert!(text.contains("level:    high\n"), "{text}");
    assert!(
        text.contains(
            "tags:     attack.execution, attack.t1059.001, attack.defense-evasion, attack.t1027\n"
        ),
        "{text}"
    );
    assert!(text.contains("IR:\n   0: Filter"), "{text}");
    assert!(text.contains("fields read ("), "{text}");
    assert!(text.contains("  CommandLine\n"), "{text}");
    // The file's one rule is optimised by `run`, so its optimiser section shows.
    assert!(
        text.contains("line must hold (prefilter, any case):\n"),
        "{text}"
    );

    let dir = temp_dir("sigwf", "explain");
    write(&dir, "bad.yml", "title: Bad\nlogsource: {product: windows}\ndetection:\n  sel: {a: 1}\n  condition: sel and\n");
    let o = spelunk_in(&dir, &["explain", "bad.yml"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("bad.yml:5"), "{}", err(&o));
}
