//! Every input format through the binary: NDJSON, JSON array, concatenated objects, gzip, CSV,
//! EVTX, stdin and folders with `--glob`; bad records are reported and the good ones kept.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn spelunk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .output()
        .expect("spelunk runs")
}

fn spelunk_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spelunk runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn rows(o: &Output) -> Vec<serde_json::Value> {
    text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("row is JSON"))
        .collect()
}

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spelunk-in-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(path: &Path, content: &[u8]) -> String {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
    path.to_string_lossy().into_owned()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

const NDJSON: &str = "{\"user\":\"a\",\"n\":1}\n{\"user\":\"b\",\"n\":2}\n";

fn count(o: &Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    rows(o)[0]["count"].clone()
}

#[test]
fn json_array_ndjson_and_concatenated_objects() {
    let dir = temp_dir("json");
    let array = write(&dir.join("a.json"), b"[{\"x\":1},{\"x\":2},{\"x\":3}]");
    let nd = write(&dir.join("b.ndjson"), NDJSON.as_bytes());
    let multi = write(
        &dir.join("c.json"),
        b"{\n  \"x\": 1\n}\n{\n  \"x\": 2\n}{\"x\":3}\n",
    );
    for (path, n) in [(array, 3), (nd, 2), (multi, 3)] {
        let o = spelunk(&["run", "-q", "| stats count", &path, "--format", "json"]);
        assert_eq!(count(&o), n, "{path}");
    }
}

/// The optimiser skips lines that cannot match before parsing them; a line that opens an object
/// spread over lines must still be parsed, or the object's other lines (which lack the search's
/// literals one by one) are lost without a word.
#[test]
fn objects_spread_over_lines_are_searched_with_the_optimiser_on() {
    let dir = temp_dir("pretty");
    let pretty = write(
        &dir.join("pretty.json"),
        b"{\n  \"index\": \"network\",\n  \"action\": \"allowed\"\n}\n\
          {\"index\": \"network\", \"action\": \"allowed\"}\n\
          {\"index\": \"network\", \"sub\": {\n \"action\": \"allowed\"}\n}\n\
          {\"index\": \"main\",\n \"action\": \"allowed\"}\n\
          {\"sub\": {\"x\": 1}\n, \"index\": \"network\", \"action\": \"allowed\"}\n\
          {\"sub\": {\"x\": \"{\"}, \"y\": [{}]\n, \"index\": \"network\", \"action\": \"allowed\"}\n",
    );
    let search = "index=network (action=allowed OR sub.action=allowed) | stats count";
    for extra in [None, Some("--strict"), Some("--no-optimize")] {
        let mut args = vec!["run", "-q", search, &pretty, "--format", "json"];
        args.extend(extra);
        let o = spelunk(&args);
        // The last two objects' first lines end with a `}` that closes an inner object, and
        // lack the search's literals: they are parsed all the same, to be found to open one.
        assert_eq!(count(&o), 5, "{extra:?}: {}", text(&o.stderr));
        assert!(o.stderr.is_empty(), "{extra:?}: {}", text(&o.stderr));
    }
}

/// A search whose every stage works on each event alone writes its JSON rows as they come;
/// the text is the one written when the rows are held to the end (`eventstats` holds them):
/// fields in the order of all rows' first-seen fields with `_time` first, `_raw` left out, and
/// the same warnings, on one thread or two.
#[test]
fn streamed_json_rows_are_the_rows_written_at_the_end() {
    let dir = temp_dir("streamed");
    let mut lines = String::new();
    for i in 0..400 {
        lines.push_str(&match i % 5 {
            0 => format!("{{\"b\":{i},\"a\":\"x\"}}\n"),
            1 => format!("{{\"c\":{i},\"a\":\"y\",\"_time\":{i}}}\n"),
            2 => format!("{{\"d\":{i},\"b\":7,\"_raw\":\"r\"}}\n"),
            3 => format!("{{\"a\":\"z\",\"e\":[1,2],\"b\":null,\"f{i}\":1}}\n"),
            _ => "not json\n".to_string(),
        });
    }
    let path = write(&dir.join("events.ndjson"), lines.as_bytes());
    for search in [
        "*",
        "a=* | eval g=1 | rename c as cc",
        "* | table a, b, _time, a",
    ] {
        let held = format!("{search} | eventstats count as held_n | fields - held_n");
        for threads in ["1", "2"] {
            let run = |q: &str| {
                spelunk(&[
                    "run",
                    "-q",
                    q,
                    &path,
                    "--format",
                    "json",
                    "--threads",
                    threads,
                ])
            };
            let (streamed, buffered) = (run(search), run(&held));
            assert_eq!(
                streamed.status.code(),
                Some(0),
                "{}",
                text(&streamed.stderr)
            );
            assert!(text(&streamed.stdout).lines().count() >= 160, "{search}");
            assert_eq!(text(&streamed.stdout), text(&buffered.stdout), "{search}");
            assert_eq!(text(&streamed.stderr), text(&buffered.stderr), "{search}");
        }
    }
}

/// A Sigma file of one rule writes its matches as they come; they are the first half of what
/// the same rule written twice in one file gives (held: the matches of several rules come rule
/// by rule).
#[test]
fn streamed_sigma_matches_are_the_matches_written_at_the_end() {
    let dir = temp_dir("streamed-sigma");
    let mut lines = String::new();
    for i in 0..300 {
        lines.push_str(&match i % 4 {
            0 => format!("{{\"Image\":\"C:\\\\x\\\\cmd.exe\",\"n\":{i}}}\n"),
            1 => format!("{{\"_time\":{i},\"Image\":\"CMD.EXE\",\"User\":\"u{i}\"}}\n"),
            2 => format!("{{\"Image\":\"other.exe\",\"n\":{i}}}\n"),
            _ => "not json\n".to_string(),
        });
    }
    let events = write(&dir.join("events.ndjson"), lines.as_bytes());
    let rule = "title: Cmd\nlevel: low\nlogsource: {product: windows}\ndetection:\n  \
                sel: {Image|endswith: cmd.exe}\n  condition: sel\n";
    let one = write(&dir.join("one.yml"), rule.as_bytes());
    let two = write(
        &dir.join("two.yml"),
        format!("{rule}---\n{rule}").as_bytes(),
    );
    for threads in ["1", "2"] {
        let run = |r: &str| spelunk(&["run", r, &events, "--format", "json", "--threads", threads]);
        let (streamed, held) = (run(&one), run(&two));
        assert_eq!(
            streamed.status.code(),
            Some(0),
            "{}",
            text(&streamed.stderr)
        );
        let streamed = text(&streamed.stdout);
        let held = text(&held.stdout);
        let half: Vec<&str> = held.lines().take(held.lines().count() / 2).collect();
        assert_eq!(streamed.lines().count(), 150, "{streamed}");
        assert_eq!(streamed.lines().collect::<Vec<_>>(), half);
    }
}

/// A search whose rows are streamed ends when the reader of its output goes (`| head -1`),
/// rather than reading the rest of its input: here an input that never ends (stdin kept open
/// and fed), which the run would otherwise read for ever.
#[test]
fn a_streamed_run_ends_when_its_output_is_closed() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(["run", "-q", "n=*", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spelunk runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // Fed on a thread of its own (the run blocks on its output until it is read), until the
    // run ends (its stdin then closes) or 20 s pass.
    let feeder = std::thread::spawn(move || {
        let start = std::time::Instant::now();
        let mut i = 0;
        while start.elapsed() < std::time::Duration::from_secs(20) {
            let batch: String = (i..i + 1000)
                .map(|i| format!("{{\"n\":{i},\"pad\":\"{}\"}}\n", "x".repeat(200)))
                .collect();
            i += 1000;
            if stdin.write_all(batch.as_bytes()).is_err() {
                return;
            }
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut row = String::new();
    stdout.read_line(&mut row).expect("a row");
    assert!(row.contains("\"n\":0"), "{row}");
    drop(stdout);
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > std::time::Duration::from_secs(15) {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let Some(status) = status else {
        child.kill().expect("kill");
        panic!("the run went on reading after its output was closed");
    };
    feeder.join().expect("feeder");
    assert_eq!(status.code(), Some(0));
}

/// Events the optimiser skips unparsed (prefilter) or drops as they are parsed (pushdown) were
/// still read: the closing count of events read is the same with it on or off, on any thread.
#[test]
fn events_skipped_by_the_optimiser_count_as_read() {
    let dir = temp_dir("skipped");
    let mut lines = String::new();
    for i in 0..300 {
        let index = ["main", "firewall", "network"][i % 3];
        lines.push_str(&format!("{{\"index\":\"{index}\",\"n\":{i}}}\n"));
    }
    lines.push_str("{\"index\":\"firewall\",\"n\":}\n");
    let path = write(&dir.join("events.ndjson"), lines.as_bytes());
    for search in ["index=firewall | stats count", "n>250 | stats count"] {
        for extra in [&[][..], &["--no-optimize"], &["--threads", "2"]] {
            let mut args = vec!["run", "-q", search, &path, "--format", "json"];
            args.extend(extra);
            let o = spelunk(&args);
            let stderr = text(&o.stderr);
            assert!(
                stderr.contains("skipped 1 bad event line(s) of 301 read"),
                "{search} {extra:?}: {stderr}"
            );
        }
    }
}

#[test]
fn a_json_array_with_bad_elements_keeps_the_good_ones_and_reports_each_bad_one() {
    let dir = temp_dir("array-bad");
    let array = write(
        &dir.join("events.json"),
        b"[\n  {\"user\": \"a\"},\n  {\"user\": \"b\"},\n  garbage,\n  {\"user\": \"c\"},\n  {\"user\": \"\xff\"},\n  {\"user\": }\n]\n",
    );
    let o = spelunk(&["run", "-q", "* | table user", &array, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    let users: Vec<serde_json::Value> = rows(&o).iter().map(|r| r["user"].clone()).collect();
    assert_eq!(users, ["a", "b", "c"]);
    let err = text(&o.stderr);
    for expected in [
        format!("{array}:4: skipped: invalid JSON: expected value"),
        format!("{array}:6: skipped: invalid UTF-8"),
        format!("{array}:7: skipped: invalid JSON"),
        "skipped 3 bad event line(s) of 6 read".to_string(),
    ] {
        assert!(err.contains(&expected), "missing `{expected}` in:\n{err}");
    }
    let strict = spelunk(&["run", "-q", "* | table user", &array, "--strict"]);
    assert_eq!(strict.status.code(), Some(2), "{}", text(&strict.stderr));
}

#[test]
fn gzip_is_detected_by_magic_bytes_whatever_the_name() {
    let dir = temp_dir("gzip");
    let gz = write(&dir.join("events.gz"), &gzip(NDJSON.as_bytes()));
    let renamed = write(&dir.join("events.log"), &gzip(NDJSON.as_bytes()));
    let csv = write(&dir.join("t.csv.gz"), &gzip(b"user,n\na,1\nb,2\nc,3\n"));
    assert_eq!(count(&spelunk(&["run", "-q", "| stats count", &gz])), 2);
    assert_eq!(
        count(&spelunk(&["run", "-q", "| stats count", &renamed])),
        2
    );
    assert_eq!(count(&spelunk(&["run", "-q", "| stats count", &csv])), 3);
}

#[test]
fn csv_rows_are_events_with_text_values_and_bad_rows_are_skipped() {
    let dir = temp_dir("csv");
    let csv = write(
        &dir.join("logins.csv"),
        b"user,src,note\r\nalice,10.0.0.1,\"said \"\"hi\"\", left\"\r\nbob,10.0.0.2,\"two\nlines\"\r\nmallory,1,2,3\r\ncarol,,\r\n",
    );
    let o = spelunk(&[
        "run",
        "-q",
        "| table user src note",
        &csv,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let got = rows(&o);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0]["note"], "said \"hi\", left");
    assert_eq!(got[1]["note"], "two\nlines");
    assert_eq!(got[2], serde_json::json!({"user": "carol"}));
    let err = text(&o.stderr);
    assert!(
        err.contains("logins.csv:5: skipped: CSV row has 4 cells"),
        "{err}"
    );
    assert!(
        err.contains("skipped 1 bad event line(s) of 4 read"),
        "{err}"
    );
    let strict = spelunk(&["run", "-q", "| stats count", &csv, "--strict"]);
    assert_eq!(strict.status.code(), Some(2));
}

#[test]
fn csv_is_sniffed_on_stdin() {
    let o = spelunk_stdin(
        &["run", "-q", "user=b | table n", "--format", "json"],
        b"user,n\na,1\nb,2\n",
    );
    assert_eq!(rows(&o), vec![serde_json::json!({"n": "2"})]);
}

#[test]
fn ndjson_and_gzip_on_stdin() {
    let o = spelunk_stdin(&["run", "-q", "| stats count", "-"], NDJSON.as_bytes());
    assert_eq!(count(&o), 2);
    let o = spelunk_stdin(&["run", "-q", "| stats count"], &gzip(NDJSON.as_bytes()));
    assert_eq!(count(&o), 2);
}

#[test]
fn folders_are_read_recursively_with_a_glob_filter() {
    let dir = temp_dir("folder");
    write(&dir.join("a.json"), b"{\"k\":\"a\"}\n");
    write(&dir.join("sub/b.json"), b"{\"k\":\"b\"}\n");
    write(&dir.join("sub/deeper/c.json.gz"), &gzip(b"{\"k\":\"c\"}\n"));
    write(&dir.join("sub/d.csv"), b"k\nd\n");
    write(&dir.join(".hidden/e.json"), b"{\"k\":\"e\"}\n");
    let d = dir.to_string_lossy().into_owned();
    let all = spelunk(&[
        "run",
        "-q",
        "| stats values(k) as k",
        &d,
        "--format",
        "json",
    ]);
    assert_eq!(rows(&all)[0]["k"], serde_json::json!(["a", "b", "c", "d"]));
    let json = spelunk(&[
        "run",
        "-q",
        "| stats values(k) as k",
        &d,
        "--glob",
        "*.json",
        "--format",
        "json",
    ]);
    assert_eq!(rows(&json)[0]["k"], serde_json::json!(["a", "b"]));
    let sub = spelunk(&[
        "run",
        "-q",
        "| stats values(k) as k",
        &d,
        "--glob",
        "sub/**",
        "--format",
        "json",
    ]);
    assert_eq!(rows(&sub)[0]["k"], serde_json::json!(["b", "c", "d"]));
    let source = spelunk(&["run", "-q", "k=d | table source", &d, "--format", "json"]);
    assert!(
        rows(&source)[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("sub/d.csv"),
        "{}",
        text(&source.stdout)
    );
}

#[test]
fn a_missing_file_is_exit_2_and_a_bad_evtx_file_is_an_error() {
    let o = spelunk(&["run", "-q", "| stats count", "/nonexistent/x.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no such file"));
    let dir = temp_dir("badevtx");
    let bad = write(&dir.join("broken.evtx"), b"ElfFile\0not really");
    let o = spelunk(&["run", "-q", "| stats count", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("not a readable EVTX file"),
        "{}",
        text(&o.stderr)
    );
}

/// Every field but the ones that name the file or are printed with a different precision.
fn comparable(mut row: serde_json::Value) -> serde_json::Value {
    let map = row.as_object_mut().unwrap();
    for key in [
        "_raw",
        "source",
        "_time",
        "Event.System.TimeCreated.#attributes.SystemTime",
    ] {
        map.remove(key);
    }
    row
}

/// The evtx_dump JSON copies of SigmaHQ's regression events hold one known difference from their
/// `.evtx` files: this one's JSON says `Explorer.exe` where the log says `Explorer.EXE`.
const EDITED_COPIES: &[&str] = &["proc_creation_win_susp_right_to_left_override"];

#[test]
fn evtx_records_equal_the_sigmahq_json_copies() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sigmahq/regression_data");
    if !root.is_dir() {
        println!(
            "skipped: {} is absent (../shared is only beside CI's clone)",
            root.display()
        );
        return;
    }
    let mut pairs = Vec::new();
    collect_pairs(&root, &mut pairs);
    pairs.sort();
    assert!(
        pairs.len() >= 150,
        "found only {} evtx/json pairs",
        pairs.len()
    );
    let (mut compared, mut events) = (0, 0);
    for (evtx, json) in pairs.iter() {
        let dump = |p: &PathBuf| {
            let o = spelunk(&[
                "run",
                "-q",
                "| search *",
                p.to_str().unwrap(),
                "--format",
                "json",
            ]);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}: {}",
                p.display(),
                text(&o.stderr)
            );
            rows(&o)
        };
        let (from_evtx, from_json) = (dump(evtx), dump(json));
        assert_eq!(
            from_evtx.len(),
            from_json.len(),
            "event count of {}",
            evtx.display()
        );
        let name = evtx
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        for (a, b) in from_evtx.into_iter().zip(from_json) {
            let (ta, tb) = (a["_time"].as_f64(), b["_time"].as_f64());
            assert!(
                matches!((ta, tb), (Some(x), Some(y)) if (x - y).abs() < 1e-5),
                "{name}"
            );
            if !EDITED_COPIES.contains(&name.as_ref()) {
                assert_eq!(comparable(a), comparable(b), "{name}");
            }
            events += 1;
        }
        compared += 1;
    }
    println!("{compared} evtx files, {events} events equal to their JSON copies");
}

fn collect_pairs(dir: &Path, out: &mut Vec<(PathBuf, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_pairs(&path, out);
        } else if path.extension().is_some_and(|e| e == "evtx") {
            let json = path.with_extension("json");
            if json.is_file() {
                out.push((path, json));
            }
        }
    }
}

/// Several reading threads give the same rows, in the same order, and the same reports (with
/// the same line numbers) as one: over batch boundaries, with bad lines, lines too long, blank
/// and CRLF lines, and an object spread over lines far into the file (read on sequentially).
#[test]
fn threads_change_nothing_but_speed() {
    let dir = temp_dir("threads");
    let mut ndjson = String::new();
    for i in 0..8_000 {
        match i % 997 {
            13 => ndjson.push_str("{\"broken\": \n"),
            14 => ndjson.push_str("not json at all\n"),
            15 => ndjson.push('\n'),
            16 => ndjson.push_str(&format!("{{\"n\":{i},\"pad\":\"{}\"}}\n", "x".repeat(3000))),
            _ if i % 40 == 0 => ndjson.push_str(&format!(
                "{{\"n\":{i},\"kind\":\"b\",\"pad\":\"{}\"}}\n",
                "y".repeat(1900)
            )),
            _ => ndjson.push_str(&format!(
                "{{\"n\":{i},\"kind\":\"{}\",\"host\":\"h{}\"}}{}\n",
                ["a", "b", "c"][i % 3],
                i % 7,
                if i % 5 == 0 { "\r" } else { "" }
            )),
        }
    }
    let plain = dir.join("plain.ndjson");
    std::fs::write(&plain, &ndjson).unwrap();
    // An object spread over lines after 400 KB: the rest of the file is read sequentially.
    let mut mixed = ndjson.clone();
    mixed.push_str("{\n  \"n\": 99999,\n  \"kind\": \"a\"\n}\n{\"n\":100000,\"kind\":\"b\"}\n");
    mixed.push_str(&ndjson);
    let mixed_path = dir.join("mixed.ndjson");
    std::fs::write(&mixed_path, &mixed).unwrap();
    let queries = [
        "kind=a | eval m=n%10 | stats count, sum(n) as s by m, host",
        "kind=* NOT kind=c | table n, kind, host",
        "n>100 | head 50",
        "n=99999 OR n=100000 | table n",
    ];
    assert!(
        ndjson.len() > 2 * 256 * 1024,
        "the file spans several batches"
    );
    for file in [&plain, &mixed_path] {
        let file = file.to_str().unwrap();
        for q in queries {
            let run = |threads: &str| {
                spelunk(&[
                    "run",
                    "-q",
                    q,
                    file,
                    "--format",
                    "json",
                    "--threads",
                    threads,
                    "--max-line",
                    "2000",
                ])
            };
            let one = run("1");
            if q.starts_with("n=99999") {
                let spread = file.ends_with("mixed.ndjson");
                assert_eq!(rows(&one).len(), if spread { 2 } else { 0 }, "{file}");
            } else {
                assert!(!text(&one.stdout).is_empty(), "{q}: {}", text(&one.stderr));
            }
            assert!(text(&one.stderr).contains("longer than 2000 bytes"), "{q}");
            for threads in ["2", "3"] {
                let many = run(threads);
                assert_eq!(
                    text(&many.stdout),
                    text(&one.stdout),
                    "{q} --threads {threads}"
                );
                assert_eq!(
                    text(&many.stderr),
                    text(&one.stderr),
                    "{q} --threads {threads}"
                );
                assert_eq!(many.status.code(), one.status.code());
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
