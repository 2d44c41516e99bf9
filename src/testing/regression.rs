//! SigmaHQ regression tests: `regression_data/**/info.yml` below a SigmaHQ-style root (a folder
//! with `rules*/` folders and `regression_data/`). Each entry of `regression_tests_info` is one
//! case: the rule named in `rule_metadata` (found at the path mirroring the info.yml's folder,
//! else by id in any `rules*/` folder) runs over the entry's events file (`path`, relative to
//! the root; the `.json` copy beside info.yml when that file is not there) and must match
//! `match_count` events, or at least one when no count is given.

use super::{Case, Events, Expect, Suite};
use crate::rules::{load_sigma_document, sigma_documents, LoadOptions, Rule};
use crate::sigma::set::names;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Tests whose declared `match_count: 1` is lower than the number of matching events they hold
/// (3, 3, 3 and 2; other engines agree): checked as "at least one" instead.
pub const UNDERCOUNTED: &[&str] = &[
    "file_event_win_anydesk_artefact",
    "file_event_win_cred_dump_tools_dropped_files",
    "registry_set_change_security_zones",
    "registry_set_disable_administrative_share",
];

#[derive(Debug, Deserialize)]
struct Info {
    #[serde(default)]
    rule_metadata: Vec<RuleRef>,
    #[serde(default)]
    regression_tests_info: Vec<TestInfo>,
}

#[derive(Debug, Deserialize)]
struct RuleRef {
    id: String,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TestInfo {
    name: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    match_count: Option<usize>,
}

/// Rule ids of each SigmaHQ root, read once.
#[derive(Debug, Default)]
pub struct Roots {
    ids: HashMap<PathBuf, HashMap<String, PathBuf>>,
}

/// The root an info.yml belongs to: the folder holding its `regression_data` ancestor.
fn root_of(info: &Path) -> Option<PathBuf> {
    if info.file_name()? != "info.yml" {
        return None;
    }
    let mut root = PathBuf::new();
    for part in info.parent()?.components() {
        if part == Component::Normal("regression_data".as_ref()) {
            return Some(if root.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                root
            });
        }
        root.push(part);
    }
    None
}

/// The suite of a regression test's info.yml; `None` for any other file.
pub fn load(info: &Path, opts: &LoadOptions, roots: &mut Roots) -> Option<Suite> {
    let root = root_of(info)?;
    let dir = info.parent()?;
    let test_name = dir.file_name()?.to_string_lossy().into_owned();
    let fail = |message: String| Suite {
        file: info.to_path_buf(),
        rule: Err(message),
        cases: vec![Case {
            name: test_name.clone(),
            events: Vec::new(),
            expect: Vec::new(),
        }],
    };
    let text = match std::fs::read_to_string(info) {
        Ok(t) => t,
        Err(e) => return Some(fail(format!("cannot read: {}", crate::io::io_reason(&e)))),
    };
    let parsed: Info = match serde_yaml::from_str(&text) {
        Ok(i) => i,
        Err(e) => return Some(fail(format!("{}: invalid info.yml: {e}", info.display()))),
    };
    let Some(wanted) = parsed.rule_metadata.first() else {
        return Some(fail(format!(
            "{}: no `rule_metadata` names the rule",
            info.display()
        )));
    };
    let rule = find_rule(&root, info, &wanted.id, roots)
        .ok_or_else(|| {
            let title = wanted.title.as_deref().unwrap_or("?");
            format!(
                "{}: no rule with id {} (`{title}`) below {}/rules*/",
                info.display(),
                wanted.id,
                root.display()
            )
        })
        .and_then(|path| load_by_id(&path, &wanted.id, opts));
    let mut cases: Vec<Case> = parsed
        .regression_tests_info
        .into_iter()
        .map(|t| case(t, &test_name, &root, dir))
        .collect();
    if cases.is_empty() {
        cases.push(Case {
            name: "regression".to_string(),
            events: vec![Events::Missing(
                "info.yml lists no regression_tests_info (nothing to run)".to_string(),
            )],
            expect: Vec::new(),
        });
    }
    Some(Suite {
        file: info.to_path_buf(),
        rule,
        cases,
    })
}

fn case(test: TestInfo, test_name: &str, root: &Path, dir: &Path) -> Case {
    let (expect, note) = match test.match_count {
        Some(1) if UNDERCOUNTED.contains(&test_name) => (
            Expect::AtLeast(1),
            " (declared match_count 1 under-counts: at least 1)",
        ),
        Some(n) => (Expect::Count(n), ""),
        None => (Expect::AtLeast(1), " (no match_count: at least 1)"),
    };
    let declared = test.path.as_ref().map(|p| root.join(p));
    let json = declared
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|stem| dir.join(format!("{}.json", stem.to_string_lossy())));
    let events = match (declared, json) {
        (Some(p), _) if p.is_file() => Events::File {
            path: p,
            set: Vec::new(),
        },
        (_, Some(j)) if j.is_file() => Events::File {
            path: j,
            set: Vec::new(),
        },
        (p, _) => Events::Missing(format!(
            "events file not found: {}",
            p.map(|p| p.display().to_string())
                .unwrap_or_else(|| "(no `path`)".to_string())
        )),
    };
    Case {
        name: format!("regression: {}{note}", test.name),
        events: vec![events],
        expect: vec![expect],
    }
}

/// The rule file: the path mirroring the info.yml's folder (if it holds the id), else by id.
fn find_rule(root: &Path, info: &Path, id: &str, roots: &mut Roots) -> Option<PathBuf> {
    let rel = info
        .parent()?
        .strip_prefix(root.join("regression_data"))
        .ok();
    if let Some(rel) = rel {
        for ext in ["yml", "yaml"] {
            let path = root.join(rel).with_extension(ext);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.lines().any(|l| id_line(l) == Some(id)) {
                return Some(path);
            }
        }
    }
    let ids = roots
        .ids
        .entry(root.to_path_buf())
        .or_insert_with(|| index(root));
    ids.get(id).cloned()
}

fn id_line(line: &str) -> Option<&str> {
    let id = line.strip_prefix("id:")?.trim();
    Some(id.trim_matches(|c| c == '\'' || c == '"'))
}

/// Rule id → file, over every `rules*/` folder of the root.
fn index(root: &Path) -> HashMap<String, PathBuf> {
    let mut map = HashMap::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return map;
    };
    let mut folders: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("rules"))
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        for file in crate::io::files(&folder, None).unwrap_or_default() {
            if !file.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for id in text.lines().filter_map(id_line) {
                map.entry(id.to_string()).or_insert_with(|| file.clone());
            }
        }
    }
    map
}

/// The document with this id, lowered alone (with the file's other documents at hand).
fn load_by_id(path: &Path, id: &str, opts: &LoadOptions) -> Result<Rule, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {}", path.display(), crate::io::io_reason(&e)))?;
    let docs = sigma_documents(path, &text).map_err(|e| e.render())?;
    let n = docs
        .iter()
        .position(|d| names(d).contains(&id))
        .ok_or_else(|| format!("{}: no document with id {id}", path.display()))?;
    load_sigma_document(path, &text, &docs, n, opts)
        .map_err(|e| e.render())?
        .ok_or_else(|| format!("{}: {id} is a filter, not a rule", path.display()))
}
