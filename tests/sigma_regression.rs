//! SigmaHQ regression data: for each `regression_data/**/info.yml`, the rule it names runs over
//! its `.json` events and must find the declared number of matches (at least one where the corpus
//! README says the declared count is wrong). Skips with a message when `../shared` is absent.

use spelunk::eval::event::EventOptions;
use spelunk::io::read_events;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Tests whose `match_count: 1` is known to be lower than the true count (corpus README).
const AT_LEAST_ONE: &[&str] = &[
    "file_event_win_anydesk_artefact",
    "file_event_win_cred_dump_tools_dropped_files",
    "registry_set_change_security_zones",
    "registry_set_disable_administrative_share",
];

/// Pass-rate floor this implementation reaches (percent).
const FLOOR: f64 = 100.0;

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sigmahq");
    root.join("regression_data").is_dir().then_some(root)
}

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

/// Rule id → rule file, over every `rules*/` folder.
fn rules_by_id(root: &Path) -> HashMap<String, PathBuf> {
    let mut map = HashMap::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return map;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with("rules") {
            continue;
        }
        let mut found = Vec::new();
        files(&entry.path(), ".yml", &mut found);
        for path in found {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if let Some(id) = text.lines().find_map(|l| l.strip_prefix("id: ")) {
                map.insert(id.trim().to_string(), path);
            }
        }
    }
    map
}

struct Test {
    name: String,
    rule_id: String,
    expected: Option<usize>,
    events: Vec<PathBuf>,
}

fn read_test(info: &Path) -> Option<Test> {
    let text = std::fs::read_to_string(info).ok()?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
    let rule_id = yaml["rule_metadata"][0]["id"].as_str()?.to_string();
    let expected = yaml["regression_tests_info"][0]["match_count"]
        .as_u64()
        .map(|n| n as usize);
    let dir = info.parent()?;
    let mut events = Vec::new();
    files(dir, ".json", &mut events);
    let name = dir.file_name()?.to_string_lossy().into_owned();
    Some(Test {
        name,
        rule_id,
        expected,
        events,
    })
}

fn run(test: &Test, rule: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(rule).map_err(|e| e.to_string())?;
    let rules = spelunk::sigma_to_ir(&text).map_err(|d| format!("{d:?}"))?;
    let plan = spelunk::compile(&rules[0].pipeline).map_err(|d| format!("{d:?}"))?;
    let mut records = Vec::new();
    for path in &test.events {
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let name = path.to_string_lossy();
        read_events(
            file,
            &name,
            &EventOptions::default(),
            &mut |r| records.push(r),
            &mut |b| eprintln!("bad event {b:?}"),
        )
        .map_err(|d| d.to_string())?;
    }
    let found = plan.run(records).rows.len();
    let ok = match test.expected {
        Some(n) if !AT_LEAST_ONE.contains(&test.name.as_str()) => found == n,
        _ => found >= 1,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected {:?} matches, found {found}",
            test.expected
        ))
    }
}

#[test]
fn regression_data_matches() {
    let Some(root) = corpus() else {
        println!("skipped: ../shared/corpus/sigmahq/regression_data is absent");
        return;
    };
    let ids = rules_by_id(&root);
    let mut infos = Vec::new();
    files(&root.join("regression_data"), "info.yml", &mut infos);
    infos.sort();
    let (mut passed, mut failed, mut skipped) = (0, Vec::new(), 0);
    for info in &infos {
        let Some(test) = read_test(info) else {
            failed.push(format!("{}: unreadable info.yml", info.display()));
            continue;
        };
        if test.events.is_empty() {
            skipped += 1;
            continue;
        }
        let Some(rule) = ids.get(&test.rule_id) else {
            failed.push(format!("{}: no rule with id {}", test.name, test.rule_id));
            continue;
        };
        match run(&test, rule) {
            Ok(()) => passed += 1,
            Err(why) => failed.push(format!("{}: {why}", test.name)),
        }
    }
    let total = passed + failed.len();
    let rate = 100.0 * passed as f64 / total.max(1) as f64;
    println!("sigma regression: {passed}/{total} passed ({rate:.1}%), {skipped} without events");
    for f in &failed {
        println!("  FAIL {f}");
    }
    assert!(rate >= FLOOR, "pass rate {rate:.1}% below {FLOOR}%");
}
