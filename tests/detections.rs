//! Runs Splunk security_content detections end to end: each folder under `tests/detections/` names
//! a corpus detection by `id` and holds events written for it (`events.ndjson`) and the rows the
//! detection must return (`case.yml`, worked out by hand from Splunk's documented semantics).
//!
//! The search text is read from the corpus (`../shared/corpus/security_content/searches_meta.jsonl`)
//! at test time, never copied into the repository; the suite skips when the corpus is absent.
//! Macros come from the corpus `macros.jsonl` plus spelunk's standard ones.
//!
//! A case where spelunk disagrees with Splunk's documented behaviour can be parked under
//! `tests/detections_pending/` (not run here) until the engine is fixed.

use serde::Deserialize;
use spelunk::eval::event::{record_from_json, EventOptions};
use spelunk::output::row_json;
use spelunk::spl::macros::Macros;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// The corpus detection id (searches_meta.jsonl `id`).
    id: String,
    /// The detection name, checked against the corpus so a case cannot drift to another search.
    name: String,
    /// One line: what the detection looks for, and what the events exercise.
    why: String,
    /// CSV lookup tables (file name → text), written to a fresh `--lookups` folder.
    #[serde(default)]
    lookups: BTreeMap<String, String>,
    /// Expected result rows, in order, as `spelunk::output::row_json` gives them.
    expect: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Detection {
    id: String,
    name: String,
    search: String,
}

fn corpus() -> Option<(HashMap<String, Detection>, Macros)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/security_content");
    let Ok(text) = std::fs::read_to_string(root.join("searches_meta.jsonl")) else {
        println!(
            "skipped: {} is absent (../shared is only beside CI's clone)",
            root.display()
        );
        return None;
    };
    let detections = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Detection>(l).expect("searches_meta.jsonl line"))
        .map(|d| (d.id.clone(), d))
        .collect();
    let mut macros = Macros::standard();
    macros
        .load_path(&root.join("macros.jsonl"))
        .expect("corpus macros load");
    Some((detections, macros))
}

/// A fresh lookups folder holding the case's tables.
fn lookups_dir(case: &Case, short: &str) -> Option<PathBuf> {
    if case.lookups.is_empty() {
        return None;
    }
    let dir =
        std::env::temp_dir().join(format!("spelunk-detections-{}-{short}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp lookups dir");
    for (name, text) in &case.lookups {
        std::fs::write(dir.join(name), text).expect("write lookup");
    }
    Some(dir)
}

fn run_case(
    dir: &Path,
    detections: &HashMap<String, Detection>,
    macros: &Macros,
) -> Result<(), String> {
    let short = dir.file_name().unwrap_or_default().to_string_lossy();
    let text =
        std::fs::read_to_string(dir.join("case.yml")).map_err(|e| format!("case.yml: {e}"))?;
    let case: Case = serde_yaml::from_str(&text).map_err(|e| format!("case.yml: {e}"))?;
    if case.why.trim().is_empty() {
        return Err("`why` is empty".into());
    }
    let detection = detections
        .get(&case.id)
        .ok_or_else(|| format!("no corpus detection has id {}", case.id))?;
    if detection.name != case.name {
        return Err(format!(
            "id {} is `{}` in the corpus, not `{}`",
            case.id, detection.name, case.name
        ));
    }
    let events = std::fs::read_to_string(dir.join("events.ndjson"))
        .map_err(|e| format!("events.ndjson: {e}"))?;
    let opts = EventOptions::default();
    let records = events
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let json: serde_json::Value =
                serde_json::from_str(l).map_err(|e| format!("events.ndjson: {e}: {l}"))?;
            record_from_json(json, l, &opts)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let lookups = lookups_dir(&case, &short);
    let options = spelunk::eval::compile::Options {
        lookups: lookups.clone(),
        ..Default::default()
    };
    let describe = |diags: Vec<spelunk::diagnostic::Diagnostic>| {
        diags.iter().map(|d| d.to_string()).collect::<String>()
    };
    let expanded = spelunk::expand_macros(&detection.search, macros).map_err(describe)?;
    let outcome = spelunk::spl_to_ast(&expanded)
        .and_then(|ast| spelunk::spl::lower::lower(&ast))
        .and_then(|ir| spelunk::run_pipeline(&ir, &options, records));
    if let Some(dir) = lookups {
        let _ = std::fs::remove_dir_all(dir);
    }
    let results = outcome.map_err(|d| format!("error: {}\nsearch: {expanded}", describe(d)))?;
    let rows: Vec<serde_json::Value> = results
        .rows
        .iter()
        .map(|r| row_json(&results.columns, r))
        .collect();
    if rows.len() != case.expect.len() || !rows.iter().zip(&case.expect).all(|(a, e)| same(a, e)) {
        return Err(format!(
            "rows differ\nexpected: {}\n  actual: {}",
            serde_json::to_string_pretty(&case.expect).unwrap_or_default(),
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        ));
    }
    Ok(())
}

/// JSON equality, with numbers equal when within a relative 1e-12 (averages and standard
/// deviations may differ in the last bits with the order of summation).
fn same(actual: &serde_json::Value, expected: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (actual, expected) {
        (J::Number(a), J::Number(e)) => match (a.as_f64(), e.as_f64()) {
            (Some(a), Some(e)) => a == e || (a - e).abs() <= 1e-12 * a.abs().max(e.abs()),
            _ => a == e,
        },
        (J::Array(a), J::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(a, e)| same(a, e))
        }
        (J::Object(a), J::Object(e)) => {
            a.len() == e.len() && a.iter().all(|(k, v)| e.get(k).is_some_and(|w| same(v, w)))
        }
        _ => actual == expected,
    }
}

#[test]
fn security_content_detections_run_end_to_end() {
    let Some((detections, macros)) = corpus() else {
        return;
    };
    // DETECTIONS_DIR=tests/detections_pending shows how the pending cases differ today.
    let folder = std::env::var("DETECTIONS_DIR").unwrap_or_else(|_| "tests/detections".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("the detections folder exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    // DETECTION=<part of a folder name> runs only the matching cases.
    let only = std::env::var("DETECTION").ok();
    let (mut passed, mut failures) = (0usize, Vec::new());
    for dir in &dirs {
        let short = dir.file_name().unwrap_or_default().to_string_lossy();
        if only.as_deref().is_some_and(|o| !short.contains(o)) {
            continue;
        }
        match run_case(dir, &detections, &macros) {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!("{short}: {why}")),
        }
    }
    println!("detections: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    assert!(passed > 0, "no detections ran");
}
