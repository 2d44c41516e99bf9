//! Sigma rules' inline cases: a `tests:` list in any document of a Sigma file (a custom field;
//! the Sigma specification allows them and other tools ignore it). Format in README, "Testing rules".
//!
//! ```yaml
//! tests:
//!   - name: encoded PowerShell fires        # optional (default: `match 1`, `no_match 2` ...)
//!     match:                                # the rule matches every one of these events
//!       - {Image: 'C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe', CommandLine: 'powershell -enc SQBFAFgA'}
//!   - no_match:                             # the rule matches none of these events
//!       - {Image: 'C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe', CommandLine: 'powershell -File a.ps1'}
//!   - name: five failures in a minute       # events with an explicit expectation
//!     events: [...]                         # or events_file: path (relative to the rule file)
//!     count: 1                              # or at_least: N, no_results: true, contains: [partial rows]
//! ```
//!
//! For a correlation, `match` means the correlation fires on the events (at least one row), as
//! its rows are groups, not events.

use super::{Case, Events, Expect, Suite};
use crate::rules::{load_sigma_document, sigma_documents, yaml_kind, LoadOptions, YamlKind};
use crate::sigma::rule::{Document, DocumentKind};
use serde::Deserialize;
use serde_json::Value as Json;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct Tests {
    #[serde(default)]
    tests: Option<Vec<CaseSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: Option<String>,
    #[serde(rename = "match")]
    matches: Option<Vec<Json>>,
    no_match: Option<Vec<Json>>,
    events: Option<Vec<Json>>,
    events_file: Option<String>,
    count: Option<usize>,
    at_least: Option<usize>,
    #[serde(default)]
    no_results: bool,
    contains: Option<Vec<Json>>,
}

/// Whether a file may hold inline cases: a Sigma YAML file with a top-level `tests:`.
fn candidate(path: &Path, text: &str) -> bool {
    let yaml = path.extension().is_some_and(|e| e == "yml" || e == "yaml");
    yaml && yaml_kind(text) == YamlKind::Sigma && text.lines().any(|l| l.starts_with("tests:"))
}

/// One suite per document with `tests:`; `None` for a file without inline cases.
pub fn load(path: &Path, opts: &LoadOptions) -> Option<Vec<Suite>> {
    let text = std::fs::read_to_string(path).ok()?;
    if !candidate(path, &text) {
        return None;
    }
    let docs = match sigma_documents(path, &text) {
        Ok(d) => d,
        Err(e) => return Some(vec![broken(path, e.render())]),
    };
    let with_tests: Vec<(usize, &Document, Vec<CaseSpec>)> = match docs
        .iter()
        .enumerate()
        .map(|(n, doc)| {
            serde_yaml::from_str::<Tests>(&doc.text)
                .map(|t| (n, doc, t.tests))
                .map_err(|e| format!("{}: invalid `tests:`: {e}", path.display()))
        })
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(all) => all
            .into_iter()
            .filter_map(|(n, doc, t)| Some((n, doc, t?)))
            .collect(),
        Err(message) => return Some(vec![broken(path, message)]),
    };
    let several = with_tests.len() > 1;
    let dir = path.parent().unwrap_or(Path::new("."));
    let suites = with_tests
        .into_iter()
        .map(|(n, doc, specs)| {
            let (title, correlation) = match &doc.kind {
                DocumentKind::Rule(r) => (r.title.clone(), false),
                DocumentKind::Correlation(m) => (m.title.clone(), true),
                DocumentKind::Filter(m) => (m.title.clone(), false),
            };
            let rule = match load_sigma_document(path, &text, &docs, n, opts) {
                Ok(Some(rule)) => Ok(rule),
                Ok(None) => Err(format!(
                    "`{title}` is a filter: put its cases on a rule it applies to"
                )),
                Err(e) => Err(e.render()),
            };
            let cases: Result<Vec<Case>, String> = specs
                .into_iter()
                .enumerate()
                .map(|(k, spec)| case(spec, k + 1, correlation, dir))
                .map(|c| {
                    c.map(|mut c| {
                        if several {
                            c.name = format!("{title}: {}", c.name);
                        }
                        c
                    })
                })
                .collect();
            match cases {
                Ok(cases) => Suite {
                    file: path.to_path_buf(),
                    rule,
                    cases,
                },
                Err(e) => broken(path, format!("{}: `{title}`: {e}", path.display())),
            }
        })
        .collect();
    Some(suites)
}

fn broken(path: &Path, message: String) -> Suite {
    Suite {
        file: path.to_path_buf(),
        rule: Err(message),
        cases: vec![Case {
            name: "(tests)".to_string(),
            events: Vec::new(),
            expect: Vec::new(),
        }],
    }
}

fn case(spec: CaseSpec, k: usize, correlation: bool, dir: &Path) -> Result<Case, String> {
    let given = [
        spec.matches.is_some(),
        spec.no_match.is_some(),
        spec.events.is_some() || spec.events_file.is_some(),
    ];
    let label = spec.name.clone().unwrap_or_else(|| format!("case {k}"));
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(format!(
            "case `{label}`: give one of `match`, `no_match`, or `events`/`events_file` with an expectation"
        ));
    }
    let explicit = spec.count.is_some()
        || spec.at_least.is_some()
        || spec.no_results
        || spec.contains.is_some();
    if let Some(events) = spec.matches {
        check_nothing_else(explicit, &label, "match")?;
        let n = events.len();
        let expect = if correlation {
            Expect::AtLeast(1)
        } else {
            Expect::Count(n)
        };
        let name = spec.name.unwrap_or_else(|| format!("match {k}"));
        return Ok(inline(name, events, vec![expect]));
    }
    if let Some(events) = spec.no_match {
        check_nothing_else(explicit, &label, "no_match")?;
        let name = spec.name.unwrap_or_else(|| format!("no_match {k}"));
        return Ok(inline(name, events, vec![Expect::Count(0)]));
    }
    let mut expect = Vec::new();
    if let Some(n) = spec.count {
        expect.push(Expect::Count(n));
    }
    if let Some(n) = spec.at_least {
        expect.push(Expect::AtLeast(n));
    }
    if spec.no_results {
        expect.push(Expect::Count(0));
    }
    if let Some(partials) = spec.contains {
        expect.push(Expect::Contains(partials));
    }
    if expect.is_empty() {
        return Err(format!(
            "case `{label}`: `events` needs `count`, `at_least`, `no_results` or `contains`"
        ));
    }
    let mut events = Vec::new();
    if let Some(inline) = spec.events {
        events.push(Events::Inline(inline));
    }
    if let Some(file) = spec.events_file {
        events.push(Events::File {
            path: dir.join(file),
            set: Vec::new(),
        });
    }
    Ok(Case {
        name: label,
        events,
        expect,
    })
}

fn check_nothing_else(explicit: bool, label: &str, key: &str) -> Result<(), String> {
    if explicit {
        return Err(format!(
            "case `{label}`: `{key}` says what must happen; `count`, `at_least`, `no_results` and `contains` go with `events`"
        ));
    }
    Ok(())
}

fn inline(name: String, events: Vec<Json>, expect: Vec<Expect>) -> Case {
    Case {
        name,
        events: vec![Events::Inline(events)],
        expect,
    }
}
