//! End-to-end CLI behaviour: exit codes (0 ok, 2 bad usage or input), diagnostics that point at
//! the place, bad event lines that are reported and skipped, and the output formats.

use std::path::PathBuf;
use std::process::{Command, Output};

fn spelunk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .output()
        .expect("spelunk runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A file in a fresh temporary folder for this test.
fn temp_file(test: &str, name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spelunk-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write temp file");
    path
}

const EVENTS: &str = "{\"host\":\"a\",\"n\":1}\n{\"host\":\"b\",\"n\":2}\n";

#[test]
fn parse_error_points_at_line_and_column_with_a_caret() {
    let rule = temp_file("caret", "bad.spl", b"index=main\n| stats count by\n");
    let events = temp_file("caret", "e.json", EVENTS.as_bytes());
    let o = spelunk(&["run", rule.to_str().unwrap(), events.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("error[SPL001]"), "{err}");
    assert!(err.contains("bad.spl:2:"), "{err}");
    assert!(err.contains("| stats count by"), "{err}");
    assert!(err.contains('^'), "{err}");
    assert!(err.contains("`by` expects a field name"), "{err}");
}

#[test]
fn unknown_command_is_named_with_a_suggestion() {
    let o = spelunk(&["run", "-q", "index=main | statz count", "-"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown command `statz`"), "{err}");
    assert!(err.contains("did you mean `stats`?"), "{err}");
    assert!(err.contains("<query>:1:14"), "{err}");
}

#[test]
fn unsupported_command_says_not_supported_yet() {
    let o = spelunk(&["run", "-q", "index=main | outlier bytes", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not supported yet: the `outlier` command"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unclosed_parenthesis_and_quote_are_errors_not_panics() {
    for q in [
        "a=1 (b=2",
        "a=\"unterminated",
        "| eval x=if(a, 1",
        "| where (a > 1",
        "| eval x=1 +",
        "| stats",
        "",
    ] {
        let o = spelunk(&["run", "-q", q, "-"]);
        assert_eq!(o.status.code(), Some(2), "query {q:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error["), "query {q:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("panicked"),
            "query {q:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_broken_json_line_is_reported_and_the_good_events_still_count() {
    let events = temp_file(
        "broken",
        "e.ndjson",
        b"{\"host\":\"a\"}\n{\"host\": oops}\n[1,2]\n\n{\"host\":\"b\"}\n",
    );
    let path = events.to_str().unwrap();
    let o = spelunk(&["run", "-q", "| stats count", path, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "{\"count\":2}");
    let err = stderr(&o);
    assert!(err.contains(&format!("{path}:2:")), "{err}");
    assert!(err.contains(&format!("{path}:3:")), "{err}");
    assert!(
        err.contains("skipped 2 bad event line(s) of 4 read"),
        "{err}"
    );
}

#[test]
fn strict_makes_a_bad_line_fatal() {
    let events = temp_file("strict", "e.ndjson", b"{\"host\":\"a\"}\nnot json\n");
    let o = spelunk(&[
        "run",
        "-q",
        "| stats count",
        events.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn invalid_utf8_line_is_skipped() {
    let events = temp_file(
        "utf8",
        "e.ndjson",
        b"{\"host\":\"a\"}\n{\"host\":\"\xff\"}\n{\"host\":\"c\"}\n",
    );
    let o = spelunk(&[
        "run",
        "-q",
        "| stats count",
        events.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).trim(), "{\"count\":2}");
    assert!(stderr(&o).contains("invalid UTF-8"));
}

#[test]
fn missing_events_file_is_a_clear_error() {
    let o = spelunk(&["run", "-q", "| stats count", "/nonexistent/events.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read events file `/nonexistent/events.json`: no such file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_rule_file_is_a_clear_error() {
    let o = spelunk(&["run", "/nonexistent/rule.spl"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read rule file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_yaml_file_without_detection_is_not_a_sigma_rule() {
    let rule = temp_file("sigma", "r.yml", b"title: x\n");
    let o = spelunk(&["run", rule.to_str().unwrap(), "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a Sigma rule"), "{}", stderr(&o));
}

#[test]
fn index_and_sourcetype_defaults_fill_missing_fields() {
    let events = temp_file(
        "defaults",
        "e.ndjson",
        b"{\"host\":\"a\"}\n{\"host\":\"b\",\"index\":\"other\"}\n",
    );
    let q = "index=network sourcetype=pan:traffic | table host, index, sourcetype";
    let o = spelunk(&[
        "run",
        "-q",
        q,
        events.to_str().unwrap(),
        "--index",
        "network",
        "--sourcetype",
        "pan:traffic",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "{\"host\":\"a\",\"index\":\"network\",\"sourcetype\":\"pan:traffic\"}"
    );
}

#[test]
fn events_come_from_stdin_and_json_arrays() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "-q", "| stats sum(n) as total", "--format", "csv"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"[{\"n\":1},{\"n\":\"2\"},{\"n\":3.5}]")
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(stdout(&o), "total\r\n6.5\r\n");
}

#[test]
fn table_format_shows_multivalue_cells_on_separate_lines() {
    let events = temp_file(
        "table",
        "e.ndjson",
        b"{\"h\":\"a\",\"u\":\"x\"}\n{\"h\":\"a\",\"u\":\"y\"}\n",
    );
    let o = spelunk(&[
        "run",
        "-q",
        "| stats values(u) as users by h",
        events.to_str().unwrap(),
        "--format",
        "table",
    ]);
    assert_eq!(stdout(&o), "h  users\n-  -----\na  x\n   y\n");
}

#[test]
fn csv_quotes_fields_per_rfc_4180() {
    let events = temp_file(
        "csv",
        "e.ndjson",
        b"{\"a\":\"x,y\",\"b\":\"say \\\"hi\\\"\"}\n",
    );
    let o = spelunk(&[
        "run",
        "-q",
        "| table a b",
        events.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(stdout(&o), "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n");
    // Rows in columns a search fixes are written as they come: in input order on any number of
    // threads, the header first, and alone when no row comes.
    let lines: String = (0..3000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
    let many = temp_file("csv", "many.ndjson", lines.as_bytes());
    let want: String = std::iter::once("n,odd\r\n".to_string())
        .chain((0..3000).map(|i| format!("{i},{}\r\n", i % 2)))
        .collect();
    for threads in ["1", "2"] {
        let o = spelunk(&[
            "run",
            "-q",
            "| eval odd=n%2 | table n odd",
            many.to_str().unwrap(),
            "--format",
            "csv",
            "--threads",
            threads,
        ]);
        assert_eq!(stdout(&o), want);
        let none = spelunk(&[
            "run",
            "-q",
            "n<0 | table n odd",
            many.to_str().unwrap(),
            "--format",
            "csv",
            "--threads",
            threads,
        ]);
        assert_eq!(stdout(&none), "n,odd\r\n");
    }
}

#[test]
fn parse_emits_ir_and_ast() {
    let o = spelunk(&[
        "parse",
        "-q",
        "a=1 OR b=2 c=3 | stats count by host",
        "--emit",
        "ir",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.contains("Filter ((a~=\"1\" OR b~=\"2\") AND c~=\"3\")"),
        "{text}"
    );
    assert!(
        text.contains("Stats count as \"count\" by [host]"),
        "{text}"
    );
    let o = spelunk(&[
        "parse",
        "-q",
        "a=1 | head 3",
        "--emit",
        "ast",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let ast: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json ast");
    assert_eq!(ast["commands"][1]["name"], "head");
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(spelunk(&["run"]).status.code(), Some(2));
    assert_eq!(spelunk(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        spelunk(&["run", "-q", "x", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn iplocation_warns_once_that_it_has_no_database() {
    let events = temp_file(
        "iploc",
        "e.json",
        b"{\"src\":\"8.8.8.8\"}\n{\"src\":\"1.1.1.1\"}\n",
    );
    let o = spelunk(&[
        "run",
        "-q",
        "* | iplocation src | table src City",
        events.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        err.matches("iplocation has no location database").count(),
        1,
        "{err}"
    );
    assert!(err.contains("warning[SPL003]"), "{err}");
    assert_eq!(stdout(&o).lines().count(), 2);
}

#[test]
fn every_subcommand_has_a_consistent_argument_definition() {
    use clap::CommandFactory;
    spelunk::cli::Cli::command().debug_assert();
}

#[test]
fn convert_applies_a_sigma_pipeline() {
    let rule = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/sigma/windows/proc_creation_win_powershell_encoded_command.yml"
    );
    if !std::path::Path::new(rule).exists() {
        return;
    }
    let plain = spelunk(&["convert", rule, "--to", "spl"]);
    let mapped = spelunk(&["convert", rule, "--to", "spl", "--pipeline", "splunk-cim"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert_eq!(mapped.status.code(), Some(0), "{}", stderr(&mapped));
    assert_ne!(
        stdout(&plain),
        stdout(&mapped),
        "the CIM pipeline renames fields"
    );
}

#[test]
fn spl_to_sigma_maps_fields_back_through_a_pipeline_and_keeps_backslashes() {
    let o = spelunk(&[
        "convert",
        "-q",
        r#"process_path="*\\cmd.exe""#,
        "--to",
        "sigma",
        "--pipeline",
        "splunk-cim",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(r"Image: '*\cmd.exe'"), "{}", stdout(&o));
}

#[test]
fn a_panic_is_one_error_line_and_exit_code_2_without_a_stack_trace() {
    // Run again as a child process that installs spelunk's panic hook and panics in the worker.
    if std::env::var_os("SPELUNK_PANIC_CHILD").is_some() {
        spelunk::cli::install_panic_hook();
        std::process::exit(spelunk::cli::guarded(|| panic!("boom from a test")));
    }
    let o = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "a_panic_is_one_error_line_and_exit_code_2_without_a_stack_trace",
            "--nocapture",
        ])
        .env("SPELUNK_PANIC_CHILD", "1")
        .env("RUST_BACKTRACE", "full")
        .output()
        .expect("test binary runs");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: internal error in spelunk: ") && err.contains("boom from a test"),
        "{err}"
    );
    assert!(!err.contains("stack backtrace"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
}

#[test]
fn output_to_a_reader_that_went_away_ends_quietly() {
    // More than a pipe buffer of output, so the write meets the closed pipe whatever the timing.
    let assigns: Vec<String> = (0..3000).map(|i| format!("f{i}=\"v{i}\"")).collect();
    let query = format!("* | eval {}", assigns.join(", "));
    let commands: [&[&str]; 3] = [
        &["parse", "-q", &query, "--emit", "ir", "--format", "json"],
        &["convert", "-q", &query, "--to", "sql"],
        &["run", "-q", &query, "-"],
    ];
    for args in commands {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spelunk"))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spelunk runs");
        drop(child.stdout.take());
        if let Some(mut stdin) = child.stdin.take() {
            let events = "{\"host\":\"a\"}\n".repeat(100);
            let _ = std::io::Write::write_all(&mut stdin, events.as_bytes());
        }
        let o = child.wait_with_output().expect("spelunk ends");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{}: {err}", args[0]);
        assert!(!err.contains("internal error"), "{}: {err}", args[0]);
    }
}
