//! Every SigmaHQ rule under `sigmahq/rules*/` loads, lowers and compiles; the only failures allowed
//! are unresolved `|expand` placeholders (SIG006). Prints the rate and the failures grouped by
//! reason. Skips with a message when `../shared` is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}

/// The first diagnostic of a rule that fails, as (code, message).
fn check(path: &Path) -> Result<(), (String, String)> {
    let text = std::fs::read_to_string(path).map_err(|e| ("IO".into(), e.to_string()))?;
    let first = |d: Vec<spelunk::diagnostic::Diagnostic>| {
        let d = &d[0];
        (d.code.to_string(), d.message.clone())
    };
    let rules = spelunk::sigma_to_ir(&text).map_err(first)?;
    for rule in &rules {
        spelunk::compile(&rule.pipeline).map_err(first)?;
    }
    Ok(())
}

#[test]
fn every_rule_loads_and_lowers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sigmahq");
    let Ok(entries) = std::fs::read_dir(&root) else {
        println!("skipped: ../shared/corpus/sigmahq is absent");
        return;
    };
    let mut paths = Vec::new();
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with("rules") {
            files(&entry.path(), &mut paths);
        }
    }
    paths.sort();
    let mut failures: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unexpected = 0;
    for path in &paths {
        if let Err((code, message)) = check(path) {
            if code != "SIG006" {
                unexpected += 1;
            }
            let reason = format!("{code} {}", message.split('`').next().unwrap_or(""));
            let shown = path.strip_prefix(&root).unwrap_or(path).display();
            failures
                .entry(reason)
                .or_default()
                .push(format!("{shown}: {message}"));
        }
    }
    let failed: usize = failures.values().map(Vec::len).sum();
    let ok = paths.len() - failed;
    println!(
        "sigma corpus: {ok}/{} rules load and lower ({:.2}%)",
        paths.len(),
        100.0 * ok as f64 / paths.len().max(1) as f64
    );
    for (reason, list) in &failures {
        println!("  {} x {reason}", list.len());
        for item in list.iter().take(5) {
            println!("      {item}");
        }
    }
    assert!(
        paths.len() > 3000,
        "expected the SigmaHQ corpus, found {} rules",
        paths.len()
    );
    assert_eq!(
        unexpected, 0,
        "rules failed for reasons other than placeholders"
    );
}
