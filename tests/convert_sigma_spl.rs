//! Differential test: a Sigma rule and the SPL `spelunk convert --to spl` writes for it, both run
//! by spelunk over the same events, match the same events. Over the SigmaHQ regression data
//! (skipped when ../shared is absent) and the shipped Sigma rules' test events.

use spelunk::eval::event::EventOptions;
use spelunk::eval::{Record, Value};
use spelunk::io::read_events;
use std::path::{Path, PathBuf};

/// The share of regression tests where both agree (issue 5: the same matches).
const FLOOR: f64 = 0.99;

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.to_string_lossy().ends_with(ext) {
            out.push(path);
        }
    }
}

fn load(paths: &[PathBuf]) -> Vec<Record> {
    let mut records = Vec::new();
    for path in paths {
        let Ok(file) = std::fs::File::open(path) else {
            continue;
        };
        let name = path.to_string_lossy();
        let _ = read_events(
            file,
            &name,
            &EventOptions::default(),
            &mut |r| records.push(r),
            &mut |_| {},
        );
    }
    for (n, r) in records.iter_mut().enumerate() {
        r.fields.insert("__n".into(), Value::Num(n as f64));
    }
    records
}

fn matched(rows: &[Record]) -> Vec<String> {
    let mut ids: Vec<String> = rows
        .iter()
        .map(|r| r.get("__n").map_or(String::new(), |v| v.to_text()))
        .collect();
    ids.sort();
    ids
}

/// Runs the first rule of `text` and its SPL over `records`; `Err` says how they differ.
pub fn compare(text: &str, records: &[Record]) -> Result<usize, String> {
    let rules = spelunk::sigma_to_ir(text).map_err(|d| format!("sigma: {}", d[0].message))?;
    let rule = &rules[0].pipeline;
    let spl = spelunk::ir_to_spl(rule).map_err(|d| format!("to spl: {}", d[0].message))?;
    let spl_ir = spelunk::spl_to_ast(&spl.text)
        .and_then(|a| spelunk::ast_to_ir(&a))
        .map_err(|d| format!("SPL does not parse: {}\n{}", d[0].message, spl.text))?;
    let run = |p: &spelunk::ir::Pipeline| -> Result<Vec<String>, String> {
        let plan = spelunk::compile(p).map_err(|d| d[0].message.clone())?;
        Ok(matched(&plan.run(records.to_vec()).rows))
    };
    let (a, b) = (run(rule)?, run(&spl_ir)?);
    if a == b {
        Ok(a.len())
    } else {
        Err(format!(
            "Sigma matched {}, SPL matched {}\n{}",
            a.len(),
            b.len(),
            spl.text
        ))
    }
}

#[test]
fn sigma_and_its_spl_agree_on_regression_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sigmahq");
    if !root.join("regression_data").is_dir() {
        println!("skipped: ../shared/corpus/sigmahq/regression_data is absent");
        return;
    }
    let mut rule_files = Vec::new();
    for dir in ["rules", "rules-compliance", "deprecated"] {
        files(&root.join(dir), ".yml", &mut rule_files);
    }
    let by_id: std::collections::HashMap<String, PathBuf> = rule_files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let id = text.lines().find_map(|l| l.strip_prefix("id: "))?;
            Some((id.trim().to_string(), p))
        })
        .collect();
    let mut infos = Vec::new();
    files(&root.join("regression_data"), "info.yml", &mut infos);
    infos.sort();
    let (mut agree, mut total, mut failures) = (0, 0, Vec::new());
    for info in &infos {
        let text = std::fs::read_to_string(info).unwrap_or_default();
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_default();
        let Some(rule) = yaml["rule_metadata"][0]["id"]
            .as_str()
            .and_then(|id| by_id.get(id))
        else {
            continue;
        };
        let mut events = Vec::new();
        files(info.parent().expect("dir"), ".json", &mut events);
        if events.is_empty() {
            continue;
        }
        total += 1;
        let records = load(&events);
        let rule_text = std::fs::read_to_string(rule).unwrap_or_default();
        match compare(&rule_text, &records) {
            Ok(_) => agree += 1,
            Err(why) => failures.push(format!("{}: {why}", rule.display())),
        }
    }
    let rate = agree as f64 / total.max(1) as f64;
    println!(
        "Sigma vs generated SPL: {agree} of {total} regression tests agree ({:.1}%)",
        rate * 100.0
    );
    for f in failures.iter().take(20) {
        println!("  DIFF {f}");
    }
    assert!(rate >= FLOOR, "agreement {rate:.3} below {FLOOR}");
}

#[test]
fn shipped_sigma_rules_agree_with_their_spl() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut rules = Vec::new();
    files(&root.join("rules/sigma"), ".yml", &mut rules);
    for rule in rules {
        let stem = rule
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let mut events = Vec::new();
        files(
            &root.join("rules/tests").join(&stem),
            ".ndjson",
            &mut events,
        );
        events.retain(|e| !e.ends_with("expected.ndjson"));
        let text = std::fs::read_to_string(&rule).expect("rule");
        // A correlation's base rule is the first document; compare it alone.
        let first = text.split("\n---").next().unwrap_or(&text);
        let n = compare(first, &load(&events)).unwrap_or_else(|e| panic!("{stem}: {e}"));
        println!("{stem}: Sigma and SPL both match {n} events");
    }
}
