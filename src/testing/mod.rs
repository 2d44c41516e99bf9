//! `spelunk test`: detection test cases found next to rules, run through the same engine as
//! `spelunk run`, each judged PASS, FAIL or SKIP with a readable difference.
//!
//! Test formats, each in its own module, all producing [`Suite`]s:
//! - (a) [`sidecar`]: our `*.test.yml` files, for SPL and Sigma rules.
//! - (b) [`sigma_inline`]: a `tests:` list in a Sigma rule (match / no-match events, or events
//!   with an expected count or rows).
//! - (c) [`regression`]: SigmaHQ `regression_data/**/info.yml`, one case per test,
//!   `Expect::Count(match_count)` (or at least one) over its events file.
//! - (d) [`security_content`]: the `tests:` block of a security_content detection, with
//!   `attack_data` read from local files and their `source`/`sourcetype` applied.

pub mod compare;
pub mod junit;
pub mod regression;
pub mod security_content;
pub mod sidecar;
pub mod sigma_inline;

use crate::eval::event::{record_from_json, EventOptions, Record};
use crate::eval::Results;
use crate::rules::{LoadOptions, Rule};
use std::path::{Path, PathBuf};

/// The cases of one rule, from one test file.
#[derive(Debug)]
pub struct Suite {
    /// The test file the cases come from.
    pub file: PathBuf,
    /// The rule, or why it could not be loaded (then every case fails with that message).
    pub rule: Result<Rule, String>,
    pub cases: Vec<Case>,
}

/// One test case: events to run the rule over, and what the results must be.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub events: Vec<Events>,
    /// Every expectation must hold.
    pub expect: Vec<Expect>,
}

/// Where a case's events come from.
#[derive(Debug, Clone)]
pub enum Events {
    /// Events written in the test file.
    Inline(Vec<serde_json::Value>),
    /// A file of events in any format spelunk reads; `set` fields are written onto every event
    /// (security_content's `source` and `sourcetype`).
    File {
        path: PathBuf,
        set: Vec<(String, String)>,
    },
    /// A file that is not there locally: the case is skipped with this reason.
    Missing(String),
}

/// What the results of a case must be.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// Exactly these rows (all their fields), in this order unless `ordered` is false.
    Rows {
        rows: Vec<serde_json::Value>,
        ordered: bool,
    },
    /// Each of these partial rows matches a different result row (on the fields it names).
    Contains(Vec<serde_json::Value>),
    /// Exactly this many rows.
    Count(usize),
    /// At least this many rows (security_content: a detection fires).
    AtLeast(usize),
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    /// Why it failed: the readable difference or the error.
    Fail(String),
    Skip(String),
}

/// A case's name and outcome, with the suite it belongs to.
#[derive(Debug, Clone)]
pub struct Report {
    pub suite: String,
    pub case: String,
    pub outcome: Outcome,
    pub seconds: f64,
}

/// Every suite found under `paths` (test files, or folders searched recursively).
pub fn discover(
    paths: &[String],
    opts: &LoadOptions,
    attack_data: Option<&Path>,
) -> Result<Vec<Suite>, String> {
    let mut suites = Vec::new();
    let mut roots = regression::Roots::default();
    for path in paths {
        let root = Path::new(path);
        if !root.exists() {
            return Err(format!("error: no such file or folder: `{path}`\n"));
        }
        let files = if root.is_dir() {
            crate::io::files(root, None).map_err(|d| d.render("", ""))?
        } else {
            vec![root.to_path_buf()]
        };
        for file in files {
            if sidecar::is_test_file(&file) {
                suites.push(sidecar::load(&file, opts));
            } else if let Some(suite) = security_content::load(&file, opts, attack_data) {
                suites.push(suite);
            } else if let Some(found) = sigma_inline::load(&file, opts) {
                suites.extend(found);
            } else if let Some(suite) = regression::load(&file, opts, &mut roots) {
                suites.push(suite);
            }
        }
    }
    Ok(suites)
}

/// Runs every case of a suite.
pub fn run_suite(suite: &Suite) -> Vec<Report> {
    let name = match &suite.rule {
        Ok(rule) => rule.path.display().to_string(),
        Err(_) => suite.file.display().to_string(),
    };
    suite
        .cases
        .iter()
        .map(|case| {
            let started = std::time::Instant::now();
            let outcome = match &suite.rule {
                Ok(rule) => run_case(rule, case),
                Err(message) => Outcome::Fail(message.clone()),
            };
            Report {
                suite: name.clone(),
                case: case.name.clone(),
                outcome,
                seconds: started.elapsed().as_secs_f64(),
            }
        })
        .collect()
}

fn run_case(rule: &Rule, case: &Case) -> Outcome {
    let records = match read_events(&case.events) {
        Ok(records) => records,
        Err(Skip(reason)) => return Outcome::Skip(reason),
        Err(Fail(message)) => return Outcome::Fail(message),
    };
    let options = crate::eval::compile::Options::default();
    match crate::run_pipeline(&rule.pipeline, &options, records) {
        Ok(results) => case
            .expect
            .iter()
            .map(|e| compare::check(e, &results))
            .find(|o| *o != Outcome::Pass)
            .unwrap_or(Outcome::Pass),
        Err(d) => Outcome::Fail(crate::diagnostic::render_all(&d, "", "")),
    }
}

/// Why events could not be had.
enum NoEvents {
    Skip(String),
    Fail(String),
}
use NoEvents::{Fail, Skip};

fn read_events(sources: &[Events]) -> Result<Vec<Record>, NoEvents> {
    let opts = EventOptions::default();
    let mut records = Vec::new();
    let mut bad = Vec::new();
    for source in sources {
        match source {
            Events::Inline(items) => {
                for item in items {
                    let raw = item.to_string();
                    let record = record_from_json(item.clone(), &raw, &opts)
                        .map_err(|e| Fail(format!("inline event {raw}: {e}")))?;
                    records.push(record);
                }
            }
            Events::File { path, set } => {
                let name = path.to_string_lossy();
                let mut on_event = |mut r: Record| {
                    for (k, v) in set {
                        r.set(k, crate::eval::Value::str(v.as_str()));
                    }
                    records.push(r);
                };
                let mut on_bad = |b: crate::io::BadEvent| bad.push(b);
                crate::io::read_path(&name, &opts, &mut on_event, &mut on_bad)
                    .map_err(|d| Fail(d.render("", "")))?;
            }
            Events::Missing(reason) => return Err(Skip(reason.clone())),
        }
    }
    if let Some(b) = bad.first() {
        let message = format!(
            "{} bad event(s) in the test's events, first: {}:{}: {}",
            bad.len(),
            b.source,
            b.line,
            b.message
        );
        return Err(Fail(message));
    }
    Ok(records)
}

/// The results as JSON rows, fields in column order.
pub fn result_rows(results: &Results) -> Vec<serde_json::Value> {
    results
        .rows
        .iter()
        .map(|row| crate::output::row_json(&results.columns, row))
        .collect()
}
