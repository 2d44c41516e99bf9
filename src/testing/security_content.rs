//! security_content detections (`name`, `search`, `tests:`): each test's `attack_data` files are
//! read from local copies, with their `source` and `sourcetype` written onto every event, and
//! the detection must return at least one result, as contentctl's integration tests require.
//!
//! `data:` may be a path relative to the detection, or a URL into splunk/attack_data; a URL is
//! found locally below `--attack-data DIR` by its path from `datasets/` on (or by its file name
//! beside the detection). A test whose data is not found is skipped with the reason.

use super::{Case, Events, Expect, Suite};
use crate::rules::{load_rule, yaml_kind, LoadOptions, YamlKind};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
struct Detection {
    #[serde(default)]
    tests: Vec<Test>,
}

#[derive(Debug, Deserialize)]
struct Test {
    name: String,
    #[serde(default)]
    attack_data: Vec<AttackData>,
}

#[derive(Debug, Deserialize)]
struct AttackData {
    data: String,
    source: Option<String>,
    sourcetype: Option<String>,
}

/// The suite of a detection file with a `tests:` block; `None` for any other file.
pub fn load(path: &Path, opts: &LoadOptions, attack_data: Option<&Path>) -> Option<Suite> {
    let name = path.to_string_lossy();
    if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    if yaml_kind(&text) != YamlKind::SecurityContent
        || !text.lines().any(|l| l.starts_with("tests:"))
    {
        return None;
    }
    let detection: Detection = match serde_yaml::from_str(&text) {
        Ok(d) => d,
        Err(e) => return Some(broken(path, format!("{name}: invalid `tests:` block: {e}"))),
    };
    let rule = load_rule(path, opts)
        .map_err(|e| e.render())
        .and_then(|rules| {
            rules
                .into_iter()
                .next()
                .ok_or_else(|| format!("{name}: holds no rule to test"))
        });
    let dir = path.parent().unwrap_or(Path::new("."));
    let cases = detection
        .tests
        .into_iter()
        .map(|t| Case {
            name: t.name,
            events: t
                .attack_data
                .iter()
                .map(|a| events(a, dir, attack_data))
                .collect(),
            expect: vec![Expect::AtLeast(1)],
        })
        .collect();
    Some(Suite {
        file: path.to_path_buf(),
        rule,
        cases,
    })
}

fn broken(path: &Path, message: String) -> Suite {
    Suite {
        file: path.to_path_buf(),
        rule: Err(message),
        cases: vec![Case {
            name: "(tests block)".to_string(),
            events: Vec::new(),
            expect: Vec::new(),
        }],
    }
}

fn events(data: &AttackData, dir: &Path, root: Option<&Path>) -> Events {
    let set: Vec<(String, String)> = [("source", &data.source), ("sourcetype", &data.sourcetype)]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.clone())))
        .collect();
    match locate(&data.data, dir, root) {
        Some(path) => Events::File { path, set },
        None => Events::Missing(format!(
            "attack data not found locally: {} (pass --attack-data DIR with a copy of splunk/attack_data)",
            data.data
        )),
    }
}

/// The local file for `data`: a relative path, or a URL's path from `datasets/` below `root`,
/// or its file name beside the detection.
fn locate(data: &str, dir: &Path, root: Option<&Path>) -> Option<PathBuf> {
    let is_url = data.contains("://");
    let mut candidates = Vec::new();
    if !is_url {
        candidates.push(dir.join(data));
    }
    if let (Some(root), Some(pos)) = (root, data.find("datasets/")) {
        candidates.push(root.join(&data[pos..]));
        candidates.push(root.join(&data[pos + "datasets/".len()..]));
    }
    if let Some(file) = data.rsplit('/').next() {
        candidates.push(dir.join(file));
        if let Some(root) = root {
            candidates.push(root.join(file));
        }
    }
    candidates.into_iter().find(|p| p.is_file())
}
