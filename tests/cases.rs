//! Runs every case file under `tests/cases/`: SPL, input events, and the expected rows (or the
//! expected diagnostic code). Each case names the Splunk documentation it follows.

use serde::Deserialize;
use spelunk::eval::event::{record_from_json, EventOptions};
use spelunk::output::row_json;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The Splunk documentation the expected result follows.
    doc: String,
    spl: String,
    #[serde(default)]
    events: Vec<serde_json::Value>,
    /// Expected result rows, in order.
    expect: Option<Vec<serde_json::Value>>,
    /// Expected output columns, in order.
    columns: Option<Vec<String>>,
    /// Expected diagnostic code instead of rows.
    error: Option<String>,
    /// CSV lookup tables (file name → text), written to a fresh `--lookups` folder.
    #[serde(default)]
    lookups: std::collections::BTreeMap<String, String>,
    /// Lookup files expected in that folder after the run (file name → text).
    #[serde(default)]
    lookups_after: std::collections::BTreeMap<String, String>,
}

/// A fresh lookups folder holding the case's tables.
fn lookups_dir(case: &Case, n: usize) -> Option<std::path::PathBuf> {
    if case.lookups.is_empty() && case.lookups_after.is_empty() {
        return None;
    }
    let dir = std::env::temp_dir().join(format!("spelunk-cases-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp lookups dir");
    for (name, text) in &case.lookups {
        std::fs::write(dir.join(name), text).expect("write lookup");
    }
    Some(dir)
}

fn run_case(case: &Case, n: usize) -> Result<(), String> {
    let opts = EventOptions::default();
    let records = case
        .events
        .iter()
        .map(|e| record_from_json(e.clone(), &e.to_string(), &opts))
        .collect::<Result<Vec<_>, _>>()?;
    let dir = lookups_dir(case, n);
    let options = spelunk::eval::compile::Options {
        lookups: dir.clone(),
        ..Default::default()
    };
    let outcome =
        spelunk::spl_to_ir(&case.spl).and_then(|ir| spelunk::run_pipeline(&ir, &options, records));
    if let Some(dir) = &dir {
        for (name, expected) in &case.lookups_after {
            let actual = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            if &actual != expected {
                return Err(format!(
                    "lookup {name} differs\nexpected:\n{expected}\n  actual:\n{actual}"
                ));
            }
        }
    }
    match (&case.error, outcome) {
        (Some(code), Err(diags)) if diags.iter().any(|d| d.code == code) => Ok(()),
        (Some(code), Err(diags)) => Err(format!(
            "expected {code}, got {:?}",
            diags.iter().map(|d| d.code).collect::<Vec<_>>()
        )),
        (Some(code), Ok(_)) => Err(format!("expected error {code}, but the search ran")),
        (None, Err(diags)) => Err(format!(
            "unexpected error: {}",
            diags.iter().map(|d| d.to_string()).collect::<String>()
        )),
        (None, Ok(results)) => {
            let rows: Vec<serde_json::Value> = results
                .rows
                .iter()
                .map(|r| row_json(&results.columns, r))
                .collect();
            if let Some(expect) = &case.expect {
                if &rows != expect {
                    return Err(format!(
                        "rows differ\nexpected: {}\n  actual: {}",
                        serde_json::to_string_pretty(expect).unwrap_or_default(),
                        serde_json::to_string_pretty(&rows).unwrap_or_default()
                    ));
                }
            }
            if let Some(columns) = &case.columns {
                if columns != &results.columns {
                    return Err(format!(
                        "columns differ: expected {columns:?}, actual {:?}",
                        results.columns
                    ));
                }
            }
            Ok(())
        }
    }
}

#[test]
fn case_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases exists")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let (mut passed, mut failures) = (0, Vec::new());
    for file in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
    {
        let text = std::fs::read_to_string(file).expect("readable case file");
        let cases: Vec<Case> =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in &cases {
            assert!(
                !case.doc.trim().is_empty(),
                "{}: case `{}` must cite its doc",
                file.display(),
                case.name
            );
            match run_case(case, passed + failures.len()) {
                Ok(()) => passed += 1,
                Err(why) => failures.push(format!("{} / {}: {why}", file.display(), case.name)),
            }
        }
    }
    println!("case files: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    assert!(passed > 0, "no cases ran");
}
