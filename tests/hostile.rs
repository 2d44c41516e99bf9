//! Hostile input: every case ends quickly with exit code 2 and a message (or 0 with warnings when
//! good events remain), never a crash, a hang, or a write outside the lookups folder.
//!
//! Generated cases are built here; files in `tests/hostile/` (fuzz finds and hand-written
//! inputs) are run as rules (`.spl`, `.yml`) or as events (`.json`, `.ndjson`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous for debug builds on a loaded machine; release runs take a fraction of it.
const TIME_LIMIT: Duration = Duration::from_secs(5);

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs spelunk with `stdin`, killing it at the time limit; asserts it neither crashed nor hung.
fn spelunk(args: &[&str], stdin: &[u8]) -> Outcome {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spelunk starts");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let (out, err) = (child.stdout.take(), child.stderr.take());
    let read = |r: Option<std::process::ChildStdout>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            if let Some(mut r) = r {
                let _ = std::io::Read::read_to_end(&mut r, &mut s);
            }
            s
        })
    };
    let out = read(out);
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(mut r) = err {
            let _ = std::io::Read::read_to_end(&mut r, &mut s);
        }
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("spelunk {args:?} ran longer than {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = writer.join();
    let outcome = Outcome {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
    };
    let clipped: String = outcome.stderr.chars().take(2000).collect();
    assert!(
        matches!(outcome.code, Some(0 | 2)),
        "spelunk {:?}: exit {:?} (killed by a signal?)\n{clipped}",
        args.iter()
            .map(|a| a.chars().take(80).collect::<String>())
            .collect::<Vec<_>>(),
        outcome.code
    );
    for crash in [
        "internal error",
        "panicked",
        "overflowed its stack",
        "RUST_BACKTRACE",
    ] {
        assert!(!outcome.stderr.contains(crash), "{clipped}");
    }
    assert!(
        outcome.stderr.len() < 64 << 10,
        "stderr is {} bytes: messages must not echo huge input",
        outcome.stderr.len()
    );
    outcome
}

/// A fresh folder for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spelunk-hostile-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write temp file");
    path.to_string_lossy().into_owned()
}

const GOOD: &str = "{\"host\":\"a\",\"n\":1}\n";

/// An SPL rule file run over one good event: exit 2 and a message containing `needle`.
fn spl_error(test: &str, spl: &str, needle: &str) {
    let dir = temp_dir(test);
    let rule = write(&dir, "rule.spl", spl);
    let events = write(&dir, "e.json", GOOD);
    let o = spelunk(&["run", &rule, &events], b"");
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains(needle), "{}", o.stderr);
}

#[test]
fn long_operator_chains_in_eval_are_refused() {
    let spl = format!("| eval x={}1", "1+".repeat(50_000));
    spl_error("chain", &spl, "nested more than 100 levels");
    let spl = format!("| where {}", vec!["a=1"; 20_000].join(" AND "));
    spl_error("where-chain", &spl, "nested more than 100 levels");
}

#[test]
fn chains_of_not_and_minus_are_refused() {
    spl_error(
        "not",
        &format!("| eval x={}1", "NOT ".repeat(50_000)),
        "nested more than",
    );
    spl_error(
        "neg",
        &format!("| eval x={}1", "-".repeat(50_000)),
        "nested more than",
    );
    spl_error(
        "snot",
        &format!("a {}b", "NOT ".repeat(50_000)),
        "nested more than",
    );
}

#[test]
fn deep_parentheses_are_refused() {
    let deep =
        |open: &str, close: &str| format!("{}x{}", open.repeat(100_000), close.repeat(100_000));
    spl_error("paren-search", &format!("a=1 {}", deep("(", ")")), "SPL008");
    spl_error(
        "paren-eval",
        &format!("| eval y={}", deep("(", ")")),
        "SPL008",
    );
    spl_error(
        "paren-call",
        &format!("| eval y={}", deep("abs(", ")")),
        "SPL008",
    );
    spl_error(
        "paren-open",
        &format!("a=1 {}", "(".repeat(100_000)),
        "SPL008",
    );
}

#[test]
fn deep_subsearches_are_refused() {
    let spl = format!("a=1 {}x{}", "[search ".repeat(5_000), "]".repeat(5_000));
    spl_error("subsearch", &spl, "subsearches `[ ]` nested more than 20");
    let spl = format!("| eval x=if(searchmatch(\"{}\"), 1, 0)", "[".repeat(5_000));
    spl_error("searchmatch", &spl, "nested more than 20");
}

/// Each file in tests/hostile/ runs as a rule or as events and must end cleanly.
#[test]
fn case_files_end_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let dir = temp_dir("files");
    let events = write(&dir, "e.json", GOOD);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/hostile")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let file = path.to_string_lossy().into_owned();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext {
            "spl" | "yml" | "yaml" => {
                spelunk(&["run", &file, &events], b"");
                spelunk(&["parse", &file, "--emit", "ir"], b"");
            }
            "json" | "ndjson" => {
                spelunk(&["run", "-q", "*", &file], b"");
                spelunk(
                    &["run", "-q", "| stats count by host", "-"],
                    &std::fs::read(&path).unwrap_or_default(),
                );
            }
            _ => {}
        }
    }
}

#[test]
fn bad_lines_between_good_events_are_skipped_and_counted() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"host\":\"first\"}\n");
    input.extend_from_slice(b"{\"host\":\"\xff\xfe bad utf8\"}\n");
    input.extend_from_slice(b"\x00\x01\x02\x7f garbage \x1b[31m\n");
    input.extend_from_slice(
        format!("{}1{}\n", "{\"a\":".repeat(5_000), "}".repeat(5_000)).as_bytes(),
    );
    input.extend_from_slice(format!("{}\n", "[".repeat(100_000)).as_bytes());
    input.extend_from_slice(b"42\n\"text\"\nnull\n");
    input.extend_from_slice(b"{\"host\":\"last\"}\n");
    let o = spelunk(
        &["run", "-q", "* | table host", "-", "--format", "json"],
        &input,
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stdout.contains("\"first\"") && o.stdout.contains("\"last\""),
        "{}",
        o.stdout
    );
    assert!(
        o.stderr.contains("<stdin>:2: skipped: invalid UTF-8"),
        "{}",
        o.stderr
    );
    // The 5,000-deep object is valid JSON: a full parse stops at serde_json's recursion limit and
    // skips it; with field projection (only `host` is read) it is skimmed and kept as an event.
    let full = o.stderr.contains("recursion limit")
        && o.stderr.contains("skipped 7 bad event line(s) of 9 read");
    let projected = o.stderr.contains("skipped 6 bad event line(s) of 9 read");
    assert!(full || projected, "{}", o.stderr);
}

#[test]
fn bad_elements_of_a_json_array_are_skipped_and_counted() {
    let mut input = Vec::new();
    input.extend_from_slice(b"[\n{\"host\":\"first\"},\n");
    input.extend_from_slice(b"{\"host\":\"\xff\xfe bad utf8\"},\n");
    input.extend_from_slice(b"\x00\x01\x02\x7f garbage \x1b[31m],\n");
    input.extend_from_slice(
        format!("{}1{},\n", "{\"a\":".repeat(5_000), "}".repeat(5_000)).as_bytes(),
    );
    input.extend_from_slice(b"42, \"text\", null, ]]]}}},\n");
    input.extend_from_slice(b"{\"host\":\"last\"},\n");
    input.extend_from_slice(format!("{}\n", "[".repeat(100_000)).as_bytes());
    let o = spelunk(
        &["run", "-q", "* | table host", "-", "--format", "json"],
        &input,
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stdout.contains("\"first\"") && o.stdout.contains("\"last\""),
        "{}",
        o.stdout
    );
    assert!(
        o.stderr.contains("<stdin>:3: skipped: invalid UTF-8"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("<stdin>:8: skipped: invalid JSON"),
        "the unclosed tail: {}",
        o.stderr
    );
}

#[test]
fn a_huge_line_is_skipped_and_the_next_event_still_read() {
    let mut input = b"{\"host\":\"before\"}\n{\"host\":\"".to_vec();
    input.resize(input.len() + (65 << 20), b'x');
    input.extend_from_slice(b"\"}\n{\"host\":\"after\"}\n");
    let o = spelunk(
        &["run", "-q", "* | table host", "-", "--format", "json"],
        &input,
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        o.stdout.contains("before") && o.stdout.contains("after"),
        "{}",
        o.stdout
    );
    assert!(
        o.stderr
            .contains("<stdin>:2: skipped: line longer than 67108864 bytes"),
        "{}",
        o.stderr
    );
    let small = b"{\"host\":\"a\"}\n{\"host\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}\n";
    let o = spelunk(&["run", "-q", "*", "-", "--max-line", "20"], small);
    assert!(
        o.stderr
            .contains("<stdin>:2: skipped: line longer than 20 bytes"),
        "{}",
        o.stderr
    );
}

/// A Sigma rule file run over one good event: exit 2 and a message containing `needle`.
fn sigma_error(test: &str, yaml: &str, needle: &str) {
    let dir = temp_dir(test);
    let rule = write(&dir, "rule.yml", yaml);
    let events = write(&dir, "e.json", GOOD);
    let o = spelunk(&["run", &rule, &events], b"");
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains(needle), "{}", o.stderr);
}

#[test]
fn yaml_bombs_and_deep_yaml_are_refused() {
    let bomb = include_str!("hostile/yaml_billion_laughs.yml");
    sigma_error("bomb", bomb, "repetition limit exceeded");
    let deep = |open: &str, close: &str| {
        format!(
            "title: x\nlogsource: {{product: w}}\ndetection:\n  sel:\n    F: {}1{}\n  condition: sel\n",
            open.repeat(50_000),
            close.repeat(50_000)
        )
    };
    sigma_error("deep-seq", &deep("[", "]"), "nested more than 128 levels");
    sigma_error(
        "deep-map",
        &deep("{a: ", "}"),
        "nested more than 128 levels",
    );
    let cond = format!(
        "title: x\nlogsource: {{product: w}}\ndetection:\n  sel:\n    F: 1\n  condition: {}sel{}\n",
        "(".repeat(50_000),
        ")".repeat(50_000)
    );
    sigma_error("deep-cond", &cond, "nested more than 100 levels");
    let nots = format!(
        "title: x\nlogsource: {{product: w}}\ndetection:\n  sel:\n    F: 1\n  condition: {}sel\n",
        "not ".repeat(50_000)
    );
    sigma_error("not-cond", &nots, "nested more than 100 levels");
}

#[test]
fn malformed_yaml_and_binary_rules_are_errors() {
    sigma_error("tabs", "title: x\n\tdetection: [\n", "SIG001");
    sigma_error("binary", "\u{0}\u{1}\u{2}\u{fffd}garbage: [", "SIG001");
    sigma_error("not-a-map", "- 1\n- 2\n", "SIG001");
    sigma_error(
        "no-condition",
        "title: x\nlogsource: {product: w}\ndetection:\n  sel: {F: 1}\n",
        "condition",
    );
    sigma_error(
        "bad-regex",
        "title: x\nlogsource: {product: w}\ndetection:\n  sel: {F|re: '(a'}\n  condition: sel\n",
        "regular expression",
    );
    let huge_regex = format!(
        "title: x\nlogsource: {{product: w}}\ndetection:\n  sel: {{F|re: '{}'}}\n  condition: sel\n",
        "(a{1000}){1000}"
    );
    sigma_error("huge-regex", &huge_regex, "size limit");
}

#[test]
fn outputlookup_writes_only_inside_the_lookups_folder() {
    let dir = temp_dir("lookups");
    let lookups = dir.join("lookups");
    std::fs::create_dir_all(&lookups).expect("lookups dir");
    let outside = dir.join("outside.csv");
    std::fs::write(&outside, "keep\n").expect("outside file");
    #[cfg(unix)]
    {
        let link = |target: &Path, name: &str| {
            let _ = std::os::unix::fs::symlink(target, lookups.join(name));
        };
        link(&outside, "link.csv");
        link(&dir.join("missing.csv"), "dangling.csv");
        link(&dir, "subdir");
    }
    let events = write(&dir, "e.json", GOOD);
    let lookups_arg = lookups.to_string_lossy().into_owned();
    let names = [
        "../outside.csv".to_string(),
        "..".to_string(),
        outside.to_string_lossy().into_owned(),
        "link.csv".to_string(),
        "link".to_string(),
        "dangling".to_string(),
        "subdir/outside.csv".to_string(),
        "a\\..\\b".to_string(),
        "\"x\u{1}y\"".to_string(),
        "\"with\\u0000nul\"".to_string(),
    ];
    for name in names {
        let spl = format!("* | outputlookup {name}");
        let o = spelunk(
            &["run", "-q", &spl, &events, "--lookups", &lookups_arg],
            b"",
        );
        assert_eq!(o.code, Some(2), "{name}: {}", o.stderr);
        let o = spelunk(
            &[
                "run",
                "-q",
                &format!("| inputlookup {name}"),
                "--lookups",
                &lookups_arg,
            ],
            b"",
        );
        assert_eq!(o.code, Some(2), "{name}: {}", o.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap_or_default(),
        "keep\n"
    );
    assert!(!dir.join("missing.csv").exists());
    let o = spelunk(
        &[
            "run",
            "-q",
            "* | outputlookup fine",
            &events,
            "--lookups",
            &lookups_arg,
        ],
        b"",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(lookups.join("fine.csv").is_file());
    let o = spelunk(&["run", "-q", "* | outputlookup fine", &events], b"");
    assert_eq!(o.code, Some(2), "no --lookups: {}", o.stderr);
}

/// Runs `spl` over `events` with `--max-groups 10`: it stops (exit 2, nothing written) with an
/// error that says `message`; without the flag (the default budget) it runs.
fn stops_past_the_group_budget(spl: &str, events: &str, message: &str) {
    let args = ["run", "-q", spl, "-", "--max-groups", "10"];
    let o = spelunk(&args, events.as_bytes());
    assert_eq!(o.code, Some(2), "{spl}: {}", o.stderr);
    assert!(o.stderr.contains(message), "{spl}: {}", o.stderr);
    assert!(o.stdout.is_empty(), "{spl}: {}", o.stdout);
    let o = spelunk(&args[..4], events.as_bytes());
    assert_eq!(o.code, Some(0), "{spl}: {}", o.stderr);
}

#[test]
fn stats_stops_with_an_error_past_the_group_budget() {
    let events: String = (0..50)
        .map(|i| format!("{{\"host\":\"h{i}\"}}\n"))
        .collect();
    stops_past_the_group_budget(
        "* | stats count by host",
        &events,
        "`stats` has more than 10 groups",
    );
}

/// `top` / `rare` count each value combination rather than holding events; the combinations
/// are held under the same budget as `stats` groups.
#[test]
fn top_stops_with_an_error_past_the_group_budget() {
    let events: String = (0..50)
        .map(|i| format!("{{\"host\":\"h{}\",\"user\":\"u{i}\"}}\n", i % 3))
        .collect();
    for spl in ["* | top limit=3 user", "* | rare user by host"] {
        stops_past_the_group_budget(spl, &events, "`top` has more than 10 value combinations");
    }
}

#[test]
fn stats_stops_with_an_error_past_the_value_budget() {
    let events: String = (0..50)
        .map(|i| format!("{{\"user\":\"u{i}\",\"n\":{i}}}\n"))
        .collect();
    let spl = "* | stats dc(user) AS users, values(user) AS names, median(n) AS middle";
    let args = ["run", "-q", spl, "-", "--max-values", "120"];
    let o = spelunk(&args, events.as_bytes());
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("`stats` holds more than 120 values")
            && o.stderr.contains("--max-values"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    let o = spelunk(
        &[args[0], args[1], args[2], args[3], "--max-values", "150"],
        events.as_bytes(),
    );
    assert_eq!(
        o.code,
        Some(0),
        "150 values are within a budget of 150: {}",
        o.stderr
    );
    let o = spelunk(&args[..4], events.as_bytes());
    assert_eq!(o.code, Some(0), "{}", o.stderr);
}

#[test]
fn the_value_budget_counts_values_copied_into_every_group_of_a_multivalue_by() {
    // One event, 200 groups (a multivalue BY), 200 values in each: 40,000 values from 2 KB.
    let many: Vec<String> = (0..200).map(|i| format!("\"v{i}\"")).collect();
    let list = many.join(",");
    let event = format!("{{\"host\":[{list}],\"user\":[{list}]}}\n");
    let args = [
        "run",
        "-q",
        "* | stats count, values(user) AS users by host",
        "-",
        "--max-values",
        "10000",
    ];
    let o = spelunk(&args, event.as_bytes());
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr
            .contains("`stats` holds more than 10000 values (most of them for `users`)"),
        "{}",
        o.stderr
    );
}

#[test]
fn streamstats_windows_are_bounded() {
    spl_error(
        "window",
        "* | streamstats window=100000000000 count",
        "at most 10000",
    );
    let dir = temp_dir("window-ok");
    let events = write(&dir, "e.json", GOOD);
    let o = spelunk(
        &["run", "-q", "* | streamstats window=10000 count", &events],
        b"",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
}

#[test]
fn pathological_regexes_are_refused_or_run_in_linear_time() {
    let huge = "(a{1000}){1000}";
    spl_error(
        "rex",
        &format!("* | rex field=host \"(?<x>{huge})\""),
        "size limit",
    );
    spl_error("regex", &format!("* | regex host=\"{huge}\""), "size limit");
    spl_error(
        "match",
        &format!("* | where match(host, \"{huge}\")"),
        "size limit",
    );
    spl_error(
        "nest",
        &format!(
            "* | where match(host, \"{}a{}\")",
            "(".repeat(1000),
            ")".repeat(1000)
        ),
        "SPL",
    );
    spl_error("backref", "* | regex host=\"(a)\\1\"", "regular expression");
    let dir = temp_dir("redos");
    let events = write(
        &dir,
        "e.json",
        format!("{{\"host\":\"{}!\"}}\n", "a".repeat(100_000)),
    );
    let o = spelunk(
        &[
            "run",
            "-q",
            "* | regex host=\"^(a+)+$\" | stats count",
            &events,
        ],
        b"",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
}

/// A chart filled as events come holds its cells (rows times series) under the same budget.
#[test]
fn chart_stops_with_an_error_past_the_cell_budget() {
    let events: String = (0..50)
        .map(|i| {
            format!(
                "{{\"_time\":{},\"host\":\"h{}\",\"user\":\"u{i}\"}}\n",
                1_700_000_000 + i * 3600,
                i % 3
            )
        })
        .collect();
    for (spl, command) in [
        ("* | chart count over user by host", "chart"),
        ("* | timechart span=1h count", "timechart"),
        ("* | timechart count by user limit=0", "timechart"),
    ] {
        let message = format!("`{command}` has more than 10 cells");
        stops_past_the_group_budget(spl, &events, &message);
    }
}
