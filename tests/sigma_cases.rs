//! Runs every case file under `tests/sigma_cases/`: a Sigma rule, events, and which events match
//! (by index) or the diagnostic code expected. Each case cites the Sigma specification section.

use serde::Deserialize;
use spelunk::eval::event::{record_from_json, EventOptions};
use spelunk::io::read_events;
use spelunk::optimize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The Sigma specification section the expectation follows.
    spec: String,
    rule: String,
    #[serde(default)]
    events: Vec<serde_json::Value>,
    /// Indices (0-based) of the events that match, in order.
    matches: Option<Vec<usize>>,
    /// Expected result rows (correlations): each row holds at least these fields and values.
    rows: Option<Vec<serde_json::Value>>,
    /// Expected diagnostic code instead of matches.
    error: Option<String>,
    /// Processing pipelines: shipped names, or pipeline YAML (text with a newline).
    #[serde(default)]
    pipelines: Vec<String>,
}

fn pipelines(case: &Case) -> Result<Vec<spelunk::sigma::pipeline::Pipeline>, String> {
    case.pipelines
        .iter()
        .map(|p| {
            if p.contains('\n') {
                spelunk::sigma::pipeline::parse(p)
            } else {
                spelunk::sigma::pipeline::load(p)
            }
        })
        .collect::<Result<_, _>>()
        .map_err(|d| d.to_string())
}

/// Whether `actual` has every field of `expected` with the same value (numbers compared as f64).
fn row_has(actual: &serde_json::Value, expected: &serde_json::Value) -> bool {
    let Some(fields) = expected.as_object() else {
        return false;
    };
    fields
        .iter()
        .all(|(k, v)| match (actual.get(k), v.as_f64()) {
            (Some(a), Some(n)) => a.as_f64() == Some(n),
            (Some(a), None) => a == v,
            (None, _) => false,
        })
}

fn run_case(case: &Case) -> Result<(), String> {
    let opts = EventOptions::default();
    let mut records = Vec::new();
    for (n, e) in case.events.iter().enumerate() {
        let mut r = record_from_json(e.clone(), &e.to_string(), &opts)?;
        r.set("__case_index", spelunk::eval::Value::Num(n as f64));
        records.push(r);
    }
    let options = spelunk::sigma::Options {
        others: Vec::new(),
        pipelines: match pipelines(case) {
            Ok(p) => p,
            Err(e) if case.error.is_some() => return expect_error(case, &e),
            Err(e) => return Err(e),
        },
    };
    if case.error.is_none() && case.rows.is_none() {
        let optimised = optimised_matches(case, &options)?;
        let expected = case.matches.clone().unwrap_or_default();
        if optimised != expected {
            return Err(format!(
                "with the optimiser: expected matches {expected:?}, found {optimised:?}"
            ));
        }
    }
    let ran = spelunk::sigma::run::run_with(&case.rule, &options, records);
    match (&case.error, ran) {
        (Some(code), Err(d)) if d.iter().any(|d| d.code == code) => Ok(()),
        (Some(code), Err(d)) => Err(format!(
            "expected {code}, got {:?}",
            d.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        )),
        (Some(code), Ok(_)) => Err(format!("expected error {code}, but the rule ran")),
        (None, Err(d)) => Err(format!(
            "unexpected error: {}",
            d.iter().map(|d| d.to_string()).collect::<String>()
        )),
        (None, Ok(results)) if case.rows.is_some() => {
            let rows: Vec<serde_json::Value> = results
                .rows
                .iter()
                .map(|r| spelunk::output::row_json(&results.columns, r))
                .collect();
            let expected = case.rows.clone().unwrap_or_default();
            let same = rows.len() == expected.len()
                && rows.iter().zip(&expected).all(|(a, e)| row_has(a, e));
            if same {
                Ok(())
            } else {
                Err(format!("expected rows {expected:?}\n  found {rows:?}"))
            }
        }
        (None, Ok(results)) => {
            let found: Vec<usize> = results
                .rows
                .iter()
                .filter_map(|r| r.get("__case_index").and_then(|v| v.as_num()))
                .map(|n| n as usize)
                .collect();
            let expected = case.matches.clone().unwrap_or_default();
            if found == expected {
                Ok(())
            } else {
                Err(format!("expected matches {expected:?}, found {found:?}"))
            }
        }
    }
}

/// The case's matches with `run`'s optimiser on, read by the command line's NDJSON reader: a
/// file of one rule has its projection, prefilter and pushdown checks applied to each event
/// line, and the lines they skip are never seen by the rule.
fn optimised_matches(case: &Case, options: &spelunk::sigma::Options) -> Result<Vec<usize>, String> {
    let irs = spelunk::sigma::to_ir_with(&case.rule, options).map_err(|d| format!("{d:?}"))?;
    let mut opts = EventOptions::default();
    if let [one] = irs.as_slice() {
        optimize::Passes::default().apply(&one.pipeline, false, &mut opts);
    }
    let mut records = Vec::new();
    for (n, e) in case.events.iter().enumerate() {
        let line = e.to_string();
        let mut bad = Vec::new();
        read_events(
            line.as_bytes(),
            "event",
            &opts,
            &mut |mut r| {
                r.set("__case_index", spelunk::eval::Value::Num(n as f64));
                records.push(r);
            },
            &mut |b| bad.push(b.message),
        )
        .map_err(|d| d.to_string())?;
        if let Some(message) = bad.first() {
            return Err(format!("{line}: {message}"));
        }
    }
    let results = spelunk::sigma::run::run_with(&case.rule, options, records)
        .map_err(|d| format!("{d:?}"))?;
    Ok(results
        .rows
        .iter()
        .filter_map(|r| r.get("__case_index").and_then(|v| v.as_num()))
        .map(|n| n as usize)
        .collect())
}

fn expect_error(case: &Case, rendered: &str) -> Result<(), String> {
    let code = case.error.clone().unwrap_or_default();
    if rendered.contains(&format!("[{code}]")) {
        Ok(())
    } else {
        Err(format!("expected {code}, got {rendered}"))
    }
}

#[test]
fn sigma_case_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigma_cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/sigma_cases exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    let (mut passed, mut failures) = (0, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable case file");
        let cases: Vec<Case> =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in &cases {
            assert!(!case.spec.trim().is_empty(), "{}: cite the spec", case.name);
            match run_case(case) {
                Ok(()) => passed += 1,
                Err(why) => failures.push(format!("{} / {}: {why}", file.display(), case.name)),
            }
        }
    }
    println!("sigma cases: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    assert!(passed > 0, "no cases ran");
}
