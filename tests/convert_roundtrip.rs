//! SPL → IR → SPL → IR is stable: the printed SPL parses and lowers to the same IR, over the
//! shipped rules, the SPL test cases and (when ../shared is present) the security_content corpus.

use spelunk::spl::macros::Macros;
use std::collections::BTreeMap;
use std::path::Path;

/// The share of corpus searches (of those that lower) that must round-trip.
const FLOOR: f64 = 0.97;

/// Prints a pipeline and reads it back; `Err` says why it is not stable.
fn round_trip(ir: &spelunk::ir::Pipeline) -> Result<(), String> {
    let printed = spelunk::ir_to_spl(ir).map_err(|d| format!("print: {}", d[0].message))?;
    let again = spelunk::spl_to_ast(&printed.text)
        .and_then(|ast| spelunk::ast_to_ir(&ast))
        .map_err(|d| format!("reparse: {}\n{}", d[0].message, printed.text))?;
    if &again == ir {
        Ok(())
    } else {
        Err(format!("changed: {}", printed.text))
    }
}

#[test]
fn shipped_rules_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/spl");
    for entry in std::fs::read_dir(dir).expect("rules/spl") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "spl") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("rule");
        let ir = spelunk::spl_to_ir(&text).expect("shipped rule lowers");
        if let Err(why) = round_trip(&ir) {
            panic!("{}: {why}", path.display());
        }
    }
}

#[test]
fn spl_cases_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let (mut ok, mut total, mut failures) = (0, 0, Vec::new());
    for entry in std::fs::read_dir(dir).expect("tests/cases") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("case file");
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("case yaml");
        let cases = yaml.as_sequence().cloned().unwrap_or_default();
        for case in cases {
            let Some(spl) = case.get("spl").and_then(|s| s.as_str()) else {
                continue;
            };
            let Ok(ir) = spelunk::spl_to_ir(spl) else {
                continue;
            };
            total += 1;
            match round_trip(&ir) {
                Ok(()) => ok += 1,
                Err(why) => failures.push(format!("{spl}\n    {why}")),
            }
        }
    }
    println!("SPL cases: {ok} of {total} round-trip");
    for f in failures.iter().take(30) {
        println!("  {f}");
    }
    assert!(
        failures.is_empty(),
        "{} cases do not round-trip",
        failures.len()
    );
}

#[test]
fn security_content_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/security_content");
    let Ok(text) = std::fs::read_to_string(root.join("searches.jsonl")) else {
        println!("skipped: {} is absent", root.display());
        return;
    };
    let mut macros = Macros::standard();
    macros
        .load_path(&root.join("macros.jsonl"))
        .expect("corpus macros load");
    let (mut stable, mut lowered) = (0usize, 0usize);
    let mut failures: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let search: String = serde_json::from_str(line).expect("JSON string");
        let Ok(ir) = spelunk::expand_macros(&search, &macros)
            .and_then(|e| spelunk::ast_to_ir(&spelunk::spl_to_ast(&e)?))
        else {
            continue;
        };
        lowered += 1;
        match round_trip(&ir) {
            Ok(()) => stable += 1,
            Err(why) => {
                let key: String = why.chars().take(70).collect();
                let entry = failures.entry(key).or_insert((0, why));
                entry.0 += 1;
            }
        }
    }
    let rate = stable as f64 / lowered.max(1) as f64;
    println!(
        "round trip: {stable} of {lowered} lowered searches stable ({:.1}%)",
        rate * 100.0
    );
    let mut grouped: Vec<_> = failures.into_values().collect();
    grouped.sort_by_key(|g| std::cmp::Reverse(g.0));
    for (n, why) in grouped.iter().take(25) {
        println!("{n:>5}  {}", why.chars().take(600).collect::<String>());
    }
    assert!(rate >= FLOOR, "round-trip rate {rate:.3} below {FLOOR}");
}
