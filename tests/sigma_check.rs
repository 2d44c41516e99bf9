//! `spelunk check`: file:line:col diagnostics, warnings vs errors, exit codes (0 clean or warnings
//! only, 1 a failed check, 2 unreadable input), duplicate ids across files, folders recursively,
//! and the counts over the whole SigmaHQ corpus (skipped when ../shared is absent).

use std::path::PathBuf;
use std::process::{Command, Output};

fn spelunk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .output()
        .expect("spelunk runs")
}

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spelunk-check-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &std::path::Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::write(&path, content).expect("write");
    path.display().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const GOOD: &str = "title: Good
id: 0e95725d-7320-415d-80f7-004da920fc11
status: test
date: 2024-01-31
tags:
  - attack.execution
  - attack.t1059.001
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\cmd.exe'}
  condition: sel
level: high
";

const BAD: &str = "title: Bad
id: not-a-uuid
status: done
date: 2024/01/31
modified: 31.01.2024
tags:
  - attack.T1059
  - attack.t12
  - execution
logsource: {product: windows}
detection:
  sel: {Image|endswith: x, User|all: y}
  unused_one: {A: 1}
  condition: sel and other
level: severe
";

#[test]
fn a_clean_file_passes() {
    let dir = temp_dir("clean");
    let good = write(&dir, "good.yml", GOOD);
    let o = spelunk(&["check", &good]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(text(&o.stdout).ends_with("1 files, 0 errors, 0 warnings\n"));
}

#[test]
fn every_problem_has_a_place_and_a_severity() {
    let dir = temp_dir("bad");
    let bad = write(&dir, "bad.yml", BAD);
    let o = spelunk(&["check", &bad]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let expect = [
        ("error", "not a UUID", ":2:5"),
        ("error", "`status: done`", ":3:9"),
        ("warning", "older YYYY/MM/DD", ":4:7"),
        ("error", "is not a date", ":5:11"),
        ("error", "tag `attack.T1059`", ":7:5"),
        ("error", "tag `attack.t12`", ":8:5"),
        ("error", "tag `execution`", ":9:5"),
        ("warning", "`|all` with a single value", ""),
        ("warning", "`unused_one` is not used", ":13:3"),
        ("error", "names `other`", ":14:22"),
        ("error", "`level: severe`", ":15:8"),
    ];
    for (severity, message, place) in expect {
        let found = out.lines().enumerate().any(|(n, line)| {
            line.starts_with(severity)
                && line.contains(message)
                && out
                    .lines()
                    .nth(n + 1)
                    .is_some_and(|next| next.contains(&format!("bad.yml{place}")))
        });
        assert!(found, "{severity} {message} at {place}\n{out}");
    }
    assert!(out.contains("1 files, 8 errors, 3 warnings"), "{out}");
}

#[test]
fn warnings_only_exit_zero_and_folders_are_searched() {
    let dir = temp_dir("warn");
    write(&dir, "a/good.yml", GOOD);
    write(
        &dir,
        "a/b/old.yaml",
        &GOOD
            .replace("2024-01-31", "2024/01/31")
            .replace("0e95725d", "1e95725d"),
    );
    let o = spelunk(&["check", &dir.join("a").display().to_string()]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("2 files, 0 errors, 1 warnings"), "{out}");
}

#[test]
fn duplicate_ids_across_files_fail() {
    let dir = temp_dir("dup");
    let one = write(&dir, "one.yml", GOOD);
    let two = write(&dir, "two.yml", GOOD);
    let o = spelunk(&["check", &one, &two]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("duplicate id") && out.contains("one.yml"),
        "{out}"
    );
    assert!(out.contains("two.yml:2:5"), "{out}");
}

#[test]
fn invalid_yaml_fails_and_missing_input_is_exit_two() {
    let dir = temp_dir("yaml");
    let broken = write(&dir, "broken.yml", "title: x\ndetection: [a\n");
    let o = spelunk(&["check", &broken]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("broken.yml:"),
        "{}",
        text(&o.stdout)
    );
    let o = spelunk(&["check", &dir.join("nope").display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_sigmahq_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sigmahq");
    let Ok(entries) = std::fs::read_dir(&root) else {
        println!("skipped: ../shared/corpus/sigmahq is absent");
        return;
    };
    let mut dirs: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("rules"))
        .map(|e| e.path().display().to_string())
        .collect();
    dirs.sort();
    let mut args = vec!["check"];
    args.extend(dirs.iter().map(String::as_str));
    let o = spelunk(&args);
    let out = text(&o.stdout);
    let summary = out.lines().last().unwrap_or_default();
    println!("spelunk check over SigmaHQ rules*/: {summary}");
    assert!(summary.ends_with("warnings"), "{summary}");
    assert_eq!(o.status.code(), Some(0), "{out}");
}
