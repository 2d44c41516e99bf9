//! Sidecar test files, `<name>.test.yml`: a rule and its cases (format in README, "Testing rules").
//!
//! ```yaml
//! rule: ../spl/t1071_003_mail_protocols.spl   # default: <name>.spl / .yml beside this file
//! cases:
//!   - name: shipped events give the hand-worked table
//!     events_file: t1071_003_mail_protocols/events.ndjson
//!     expect:
//!       rows_file: t1071_003_mail_protocols/expected.ndjson
//!   - name: a mail client is not flagged
//!     events: [{index: network, sourcetype: "stream:imap", dest_port: 993, action: allowed}]
//!     expect: {no_results: true}
//! ```

use super::{Case, Events, Expect, Suite};
use crate::rules::{load_rule, LoadOptions, Rule};
use serde::Deserialize;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

pub fn is_test_file(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".test.yml") || name.ends_with(".test.yaml")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    rule: Option<String>,
    cases: Vec<CaseSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: String,
    #[serde(default)]
    events: Vec<Json>,
    #[serde(default)]
    events_file: OneOrMany,
    /// Fields written onto every event of the case (`sourcetype: stream:smtp`).
    #[serde(default)]
    set: indexmap::IndexMap<String, String>,
    expect: ExpectSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectSpec {
    rows: Option<Vec<Json>>,
    rows_file: Option<String>,
    #[serde(default = "yes")]
    ordered: bool,
    contains: Option<Vec<Json>>,
    count: Option<usize>,
    at_least: Option<usize>,
    #[serde(default)]
    no_results: bool,
}

fn yes() -> bool {
    true
}

/// Reads a test file into a suite; a broken file or rule becomes a suite whose cases fail.
pub fn load(path: &Path, opts: &LoadOptions) -> Suite {
    let failed = |message: String| Suite {
        file: path.to_path_buf(),
        rule: Err(message),
        cases: vec![Case {
            name: "(test file)".to_string(),
            events: Vec::new(),
            expect: Vec::new(),
        }],
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return failed(format!("cannot read: {}", crate::io::io_reason(&e))),
    };
    let file: File = match serde_yaml::from_str(&text) {
        Ok(f) => f,
        Err(e) => return failed(format!("{}: invalid test file: {e}", path.display())),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let cases: Result<Vec<Case>, String> = file.cases.into_iter().map(|c| case(c, dir)).collect();
    let cases = match cases {
        Ok(c) => c,
        Err(e) => return failed(format!("{}: {e}", path.display())),
    };
    Suite {
        file: path.to_path_buf(),
        rule: find_rule(path, file.rule.as_deref()).and_then(|p| load_one(&p, opts)),
        cases,
    }
}

fn load_one(path: &Path, opts: &LoadOptions) -> Result<Rule, String> {
    let mut rules = load_rule(path, opts).map_err(|e| e.render())?;
    match rules.len() {
        1 => Ok(rules.remove(0)),
        n => Err(format!(
            "{}: holds {n} rules; a test file tests one",
            path.display()
        )),
    }
}

/// `rule:` relative to the test file, or the rule beside it with the same name.
fn find_rule(test: &Path, rule: Option<&str>) -> Result<PathBuf, String> {
    let dir = test.parent().unwrap_or(Path::new("."));
    if let Some(rule) = rule {
        return Ok(dir.join(rule));
    }
    let name = test
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let stem = name
        .trim_end_matches(".yml")
        .trim_end_matches(".yaml")
        .trim_end_matches(".test");
    ["spl", "yml", "yaml"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "{}: no `rule:` given and no {stem}.spl or {stem}.yml beside it",
                test.display()
            )
        })
}

fn case(spec: CaseSpec, dir: &Path) -> Result<Case, String> {
    let set: Vec<(String, String)> = spec.set.into_iter().collect();
    let mut events = Vec::new();
    if !spec.events.is_empty() {
        let inline = spec
            .events
            .into_iter()
            .map(|mut e| {
                if let Json::Object(map) = &mut e {
                    for (k, v) in &set {
                        map.insert(k.clone(), Json::String(v.clone()));
                    }
                }
                e
            })
            .collect();
        events.push(Events::Inline(inline));
    }
    let files = match spec.events_file {
        OneOrMany::None => Vec::new(),
        OneOrMany::One(f) => vec![f],
        OneOrMany::Many(fs) => fs,
    };
    for f in files {
        events.push(Events::File {
            path: dir.join(f),
            set: set.clone(),
        });
    }
    if events.is_empty() {
        return Err(format!(
            "case `{}` has no `events` or `events_file`",
            spec.name
        ));
    }
    let expect =
        expectations(spec.expect, dir).map_err(|e| format!("case `{}`: {e}", spec.name))?;
    Ok(Case {
        name: spec.name,
        events,
        expect,
    })
}

fn expectations(spec: ExpectSpec, dir: &Path) -> Result<Vec<Expect>, String> {
    let mut out = Vec::new();
    if let Some(rows) = spec.rows {
        out.push(Expect::Rows {
            rows,
            ordered: spec.ordered,
        });
    }
    if let Some(file) = spec.rows_file {
        let rows = read_rows(&dir.join(&file))?;
        out.push(Expect::Rows {
            rows,
            ordered: spec.ordered,
        });
    }
    if let Some(partials) = spec.contains {
        out.push(Expect::Contains(partials));
    }
    if let Some(n) = spec.count {
        out.push(Expect::Count(n));
    }
    if let Some(n) = spec.at_least {
        out.push(Expect::AtLeast(n));
    }
    if spec.no_results {
        out.push(Expect::Count(0));
    }
    if out.is_empty() {
        return Err(
            "`expect` needs rows, rows_file, contains, count, at_least or no_results".to_string(),
        );
    }
    Ok(out)
}

/// Expected rows from NDJSON or a JSON array.
fn read_rows(path: &Path) -> Result<Vec<Json>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read `{}`: {}",
            path.display(),
            crate::io::io_reason(&e)
        )
    })?;
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}
