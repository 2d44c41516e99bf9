//! Detection rules for `test`, `hunt` and `explain`: finds rule files and loads each, whatever its
//! language, into [`Rule`]s that carry their metadata and IR. [`load_rule`] is the one entry point.
//!
//! - `.spl`: the search text; metadata (title, id, level, tags) from a sidecar `<stem>.meta.yml`,
//!   else the title is the file stem.
//! - `.yml`/`.yaml` with `search:`: a Splunk security_content detection (`name`, `id`, `search`,
//!   `tags`), run as SPL.
//! - `.yml`/`.yaml` with `detection:`: a Sigma rule; see [`load_sigma`].

use crate::diagnostic::{codes, render_all, Diagnostic};
use crate::ir::Pipeline;
use crate::spl::datamodel::Datamodels;
use crate::spl::macros::Macros;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The language a rule is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Spl,
    Sigma,
}

/// What a rule says about itself.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A loaded rule: where it came from, its metadata, its text before and after macro expansion,
/// and its IR.
#[derive(Debug, Clone)]
pub struct Rule {
    pub path: PathBuf,
    pub language: Language,
    pub meta: Meta,
    pub text: String,
    pub expanded: String,
    pub pipeline: Pipeline,
}

/// A rule that could not be loaded, with the text its diagnostics point into.
#[derive(Debug, Clone)]
pub struct RuleError {
    pub name: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl RuleError {
    fn new(name: &str, text: &str, diagnostics: Vec<Diagnostic>) -> Self {
        RuleError {
            name: name.to_string(),
            text: text.to_string(),
            diagnostics,
        }
    }

    pub fn render(&self) -> String {
        render_all(&self.diagnostics, &self.name, &self.text)
    }
}

/// Macro and data model definitions that SPL rules are expanded and lowered with.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub macros: Macros,
    pub datamodels: Datamodels,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            macros: Macros::standard(),
            datamodels: Datamodels::standard(),
        }
    }
}

/// What a YAML file holds, judged by its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlKind {
    /// `detection:` (a Sigma rule) or `correlation:` (a Sigma correlation).
    Sigma,
    /// `search:` (a security_content detection).
    SecurityContent,
    /// Anything else (macros, data models, tests).
    Other,
}

pub fn yaml_kind(text: &str) -> YamlKind {
    let top = |key: &str| text.lines().any(|l| l.starts_with(key));
    if top("detection:") || top("correlation:") {
        YamlKind::Sigma
    } else if top("search:") && top("name:") {
        YamlKind::SecurityContent
    } else {
        YamlKind::Other
    }
}

/// The rule files `paths` name: files as given; below folders, `.spl` files and the YAML files
/// that hold rules (not `*.test.yml`, `*.meta.yml`, macros or data models), sorted.
pub fn find_rules(paths: &[String]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    for path in paths {
        let path = Path::new(path);
        if !path.is_dir() {
            out.push(path.to_path_buf());
            continue;
        }
        for file in crate::io::files(path, None)? {
            if is_rule_file(&file) {
                out.push(file);
            }
        }
    }
    Ok(out)
}

fn is_rule_file(path: &Path) -> bool {
    let name = path.to_string_lossy();
    if name.ends_with(".spl") {
        return true;
    }
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    let sidecar = [".test.yml", ".test.yaml", ".meta.yml", ".meta.yaml"]
        .iter()
        .any(|s| name.ends_with(s));
    yaml && !sidecar
        && std::fs::read_to_string(path).is_ok_and(|t| yaml_kind(&t) != YamlKind::Other)
}

/// Loads one rule file into its rules (a Sigma file may hold several).
pub fn load_rule(path: &Path, opts: &LoadOptions) -> Result<Vec<Rule>, RuleError> {
    let name = path.to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).map_err(|e| {
        let message = format!(
            "cannot read rule file `{name}`: {}",
            crate::io::io_reason(&e)
        );
        RuleError::new("", "", vec![Diagnostic::error(codes::IO, message)])
    })?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "yml" | "yaml" => match yaml_kind(&text) {
            YamlKind::Sigma => load_sigma(path, &text),
            YamlKind::SecurityContent => load_security_content(path, &text, opts),
            YamlKind::Other => Err(RuleError::new(
                &name,
                &text,
                vec![Diagnostic::error(
                    codes::IO,
                    format!("`{name}` is not a rule: a Sigma rule has `detection:`, a security_content detection `search:`"),
                )],
            )),
        },
        _ => {
            let meta = read_meta(path)?;
            Ok(vec![load_spl(path, text, meta, opts)?])
        }
    }
}

/// SPL text → a rule, expanding macros and lowering with the given data models.
pub fn load_spl(
    path: &Path,
    text: String,
    meta: Meta,
    opts: &LoadOptions,
) -> Result<Rule, RuleError> {
    let name = path.to_string_lossy().into_owned();
    let expanded =
        crate::expand_macros(&text, &opts.macros).map_err(|d| RuleError::new(&name, &text, d))?;
    let shown = if expanded == text {
        name.clone()
    } else {
        format!("{name} (after macro expansion)")
    };
    let lowered = crate::spl_to_ast(&expanded)
        .and_then(|ast| crate::spl::lower::lower_with(&ast, &opts.datamodels));
    let pipeline = lowered.map_err(|d| RuleError::new(&shown, &expanded, d))?;
    Ok(Rule {
        path: path.to_path_buf(),
        language: Language::Spl,
        meta,
        text,
        expanded,
        pipeline,
    })
}

/// `<stem>.meta.yml` beside an SPL rule, or just the stem as title.
fn read_meta(path: &Path) -> Result<Meta, RuleError> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sidecar = path.with_file_name(format!("{stem}.meta.yml"));
    let mut meta = match std::fs::read_to_string(&sidecar) {
        Ok(text) => serde_yaml::from_str::<Meta>(&text).map_err(|e| {
            let name = sidecar.to_string_lossy();
            let message = format!("{name}: invalid rule metadata: {e}");
            RuleError::new("", "", vec![Diagnostic::error(codes::IO, message)])
        })?,
        Err(_) => Meta::default(),
    };
    if meta.title.is_empty() {
        meta.title = stem;
    }
    Ok(meta)
}

/// The fields of a security_content detection that spelunk uses.
#[derive(Debug, Deserialize)]
struct Detection {
    name: String,
    id: Option<String>,
    search: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tags: Option<serde_yaml::Value>,
}

fn load_security_content(
    path: &Path,
    text: &str,
    opts: &LoadOptions,
) -> Result<Vec<Rule>, RuleError> {
    let name = path.to_string_lossy();
    let detection: Detection = serde_yaml::from_str(text).map_err(|e| {
        let message = format!("{name}: invalid security_content detection: {e}");
        RuleError::new("", "", vec![Diagnostic::error(codes::IO, message)])
    })?;
    let meta = Meta {
        title: detection.name,
        id: detection.id,
        level: None,
        tags: attack_ids(detection.tags.as_ref()),
        description: detection.description,
    };
    Ok(vec![load_spl(path, detection.search, meta, opts)?])
}

/// `tags.mitre_attack_id: [T1071.003]` → `attack.t1071.003`, as Sigma writes ATT&CK tags.
fn attack_ids(tags: Option<&serde_yaml::Value>) -> Vec<String> {
    let ids = tags
        .and_then(|t| t.get("mitre_attack_id"))
        .and_then(|v| v.as_sequence());
    ids.into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .map(|id| format!("attack.{}", id.to_ascii_lowercase()))
        .collect()
}

/// Sigma rules: the extension point for the Sigma front end. Once `crate::sigma_to_ir` is here,
/// each lowered rule becomes a [`Rule`] with `Language::Sigma`, its title, id, level and tags.
fn load_sigma(path: &Path, text: &str) -> Result<Vec<Rule>, RuleError> {
    let name = path.to_string_lossy();
    Err(RuleError::new(
        &name,
        text,
        vec![Diagnostic::error(
            codes::SPL_UNSUPPORTED,
            format!("not supported yet: Sigma rules (`{name}`)"),
        )
        .help(
            "Sigma support is planned; use SPL rules (.spl) or security_content detections for now",
        )],
    ))
}
