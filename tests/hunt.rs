//! `spelunk hunt` through the binary: many rules (files and folders) over the same events in one
//! pass, one row per hit, `--level`/`--tags` filters, the summary, and exit codes.

use std::path::PathBuf;

mod common;
use common::*;

/// Three rules (one with metadata, one with a subsearch) and a folder of events.
fn setup(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spelunk-hunt-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules/web")).unwrap();
    std::fs::create_dir_all(dir.join("logs/day2")).unwrap();
    let write = |p: &str, t: &str| std::fs::write(dir.join(p), t).unwrap();
    write(
        "rules/web/errors.spl",
        "index=web status>=500 | stats count by host | where count > 1\n",
    );
    write(
        "rules/web/errors.meta.yml",
        "title: Repeated server errors\nlevel: high\ntags: [attack.t1190, web]\n",
    );
    write("rules/admin_login.spl", "user=admin action=login\n");
    write(
        "rules/admin_login.meta.yml",
        "title: Admin login\nlevel: low\ntags: [attack.t1078]\n",
    );
    write(
        "rules/same_host.spl",
        "action=login [ search status>=500 | fields host ] | table host user\n",
    );
    write("rules/notes.yml", "just: some yaml that is not a rule\n");
    write(
        "logs/day1.json",
        "{\"_time\":1700000000,\"index\":\"web\",\"host\":\"a\",\"status\":500}\n{\"_time\":1700000001,\"index\":\"web\",\"host\":\"a\",\"status\":502}\n",
    );
    write(
        "logs/day2/auth.json",
        "{\"_time\":1700000100,\"host\":\"a\",\"user\":\"admin\",\"action\":\"login\"}\n{\"_time\":1700000200,\"host\":\"b\",\"user\":\"bob\",\"action\":\"login\"}\nnot json\n",
    );
    dir
}

#[test]
fn every_rule_runs_over_every_event_once() {
    let dir = setup("all");
    let o = spelunk_in(&dir, &["hunt", "-r", "rules", "logs", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let hits = rows(&o);
    let rules: Vec<&str> = hits.iter().map(|h| h["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        ["Admin login", "same_host", "Repeated server errors"],
        "{}",
        out(&o)
    );
    assert_eq!(
        hits[0],
        serde_json::json!({"_time": 1700000100, "rule": "Admin login", "level": "low", "host": "a", "user": "admin"})
    );
    assert_eq!(hits[1]["user"], "admin");
    assert_eq!(hits[2]["count"], 2);
    assert_eq!(hits[2]["level"], "high");
    let e = err(&o);
    assert!(e.contains("auth.json:3: skipped"), "{e}");
    assert!(
        e.contains("3 hit(s) from 3 of 3 rule(s) over 4 event(s) (high 1, low 1)"),
        "{e}"
    );
}

/// Rules that take each event alone run on the reading threads, the others (stats,
/// subsearches) in order after them: the hits, their order and the summary do not depend on the
/// thread count or the index.
#[test]
fn threads_and_the_index_change_no_hit() {
    let dir = setup("threads");
    let users = ["admin", "bob", "carol"];
    let lines: String = (0..6000)
        .map(|i| {
            let host = ["a", "b", "c"][i % 3];
            if i % 4 == 0 {
                format!("{{\"_time\":{},\"index\":\"web\",\"host\":\"{host}\",\"status\":{}}}\n", 1_700_000_000 + i, 200 + 150 * (i % 3))
            } else {
                format!("{{\"_time\":{},\"host\":\"{host}\",\"user\":\"{}\",\"action\":\"login\",\"pad\":\"{}\"}}\n", 1_700_000_000 + i, users[i % 3], "x".repeat(i % 200))
            }
        })
        .collect();
    std::fs::write(dir.join("logs/day3.json"), lines).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["hunt", "-r", "rules", "logs", "--format", "json"];
        args.extend_from_slice(extra);
        let o = spelunk_in(&dir, &args);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        (out(&o), err(&o))
    };
    let reference = run(&["--threads", "1", "--no-optimize"]);
    assert!(
        reference.1.contains("over 6004 event(s)"),
        "{}",
        reference.1
    );
    for threads in ["1", "2", "3"] {
        assert_eq!(run(&["--threads", threads]), reference, "{threads} threads");
    }
    assert_eq!(run(&["--threads", "2", "--no-optimize"]), reference);
}

#[test]
fn level_and_tag_filters_choose_rules() {
    let dir = setup("filters");
    let high = spelunk_in(
        &dir,
        &[
            "hunt", "-r", "rules", "logs", "--level", "medium", "--format", "json",
        ],
    );
    assert_eq!(rows(&high).len(), 1);
    assert_eq!(rows(&high)[0]["rule"], "Repeated server errors");
    let tagged = spelunk_in(
        &dir,
        &[
            "hunt",
            "-r",
            "rules",
            "logs",
            "--tags",
            "attack.t1078,nothing",
            "--format",
            "json",
        ],
    );
    assert_eq!(rows(&tagged).len(), 1);
    assert_eq!(rows(&tagged)[0]["rule"], "Admin login");
    let glob = spelunk_in(
        &dir,
        &[
            "hunt", "-r", "rules", "logs", "--tags", "attack.*", "--format", "json",
        ],
    );
    assert_eq!(rows(&glob).len(), 2);
    let bad = spelunk_in(&dir, &["hunt", "-r", "rules", "logs", "--level", "severe"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn table_output_has_a_summary_per_rule() {
    let dir = setup("table");
    let o = spelunk_in(
        &dir,
        &[
            "hunt",
            "-r",
            "rules/web/errors.spl",
            "-r",
            "rules/admin_login.spl",
            "logs",
            "--format",
            "table",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("time                 rule                    level  details"),
        "{text}"
    );
    assert!(
        text.contains("Repeated server errors  high   host=a  count=2"),
        "{text}"
    );
    assert!(
        text.contains("Repeated server errors  high           1"),
        "{text}"
    );
    assert!(
        text.contains("2023-11-14 22:15:00  Admin login             low    host=a  user=admin"),
        "{text}"
    );
    assert!(
        text.contains("2 hit(s) from 2 of 2 rule(s) over 4 event(s)"),
        "{text}"
    );
}

#[test]
fn rule_errors_and_missing_inputs_are_exit_2() {
    let dir = setup("errors");
    std::fs::write(dir.join("rules/broken.spl"), "index=web | stats count by\n").unwrap();
    let o = spelunk_in(&dir, &["hunt", "-r", "rules", "logs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("rules/broken.spl:1:"), "{}", err(&o));
    let none = spelunk_in(&dir, &["hunt", "-r", "logs", "logs"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(err(&none).contains("no rules found"), "{}", err(&none));
    let missing = spelunk_in(&dir, &["hunt", "-r", "rules/admin_login.spl", "nope.json"]);
    assert_eq!(missing.status.code(), Some(2));
    let no_rules_flag = spelunk_in(&dir, &["hunt", "logs"]);
    assert_eq!(no_rules_flag.status.code(), Some(2));
}

/// A JSON Lines file of searches (security_content's export: strings, or objects with
/// `search` and `name`) is one rule per line; a line that is not a search is an error naming
/// its line, and a search that does not parse points into it.
#[test]
fn json_lines_of_searches_are_one_rule_each() {
    let dir = setup("jsonl");
    let searches = concat!(
        "\"user=admin action=login\"\n",
        "\n",
        "{\"name\": \"Server errors\", \"id\": \"e-1\", \"search\": \"index=web status>=500 | stats count by host\", \"tags\": {\"mitre_attack_id\": [\"T1190\"]}}\n",
    );
    std::fs::write(dir.join("searches.jsonl"), searches).unwrap();
    let o = spelunk_in(
        &dir,
        &["hunt", "-r", "searches.jsonl", "logs", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let hits = rows(&o);
    let rules: Vec<&str> = hits.iter().map(|h| h["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["searches.jsonl:1", "Server errors"], "{}", out(&o));
    assert_eq!(hits[1]["count"], 2);
    let o = spelunk_in(
        &dir,
        &[
            "hunt",
            "-r",
            "searches.jsonl",
            "logs",
            "--tags",
            "attack.t1190",
            "--format",
            "json",
        ],
    );
    assert_eq!(rows(&o).len(), 1, "{}", out(&o));
    // `run` takes one rule: it says so, and where the searches run.
    let o = spelunk_in(&dir, &["run", "searches.jsonl", "logs"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        err(&o).contains("spelunk hunt -r searches.jsonl"),
        "{}",
        err(&o)
    );

    let bad = "\"index=web | stats count by\"\n42\n{\"search\": 1}\n";
    std::fs::write(dir.join("bad.jsonl"), bad).unwrap();
    let o = spelunk_in(&dir, &["hunt", "-r", "bad.jsonl", "logs"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("bad.jsonl line 1:1:"), "{e}");
    assert!(e.contains("`by` expects a field name"), "{e}");
    assert!(e.contains("bad.jsonl:2: neither a search"), "{e}");
    assert!(e.contains("bad.jsonl:3: not a detection"), "{e}");
}
