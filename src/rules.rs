//! Detection rules for `test`, `hunt` and `explain`: finds rule files and loads each, whatever its
//! language, into [`Rule`]s that carry their metadata and IR. [`load_rule`] is the one entry point.
//!
//! - `.spl`: the search text; metadata (title, id, level, tags) from a sidecar `<stem>.meta.yml`,
//!   else the title is the file stem.
//! - `.yml`/`.yaml` with `search:`: a Splunk security_content detection (`name`, `id`, `search`,
//!   `tags`), run as SPL.
//! - `.yml`/`.yaml` with `detection:`, `correlation:` or `filter:`: a Sigma file; every rule and
//!   correlation in it becomes a rule (title, id, level, tags from the document), filters apply
//!   to the rules they name. [`load_rules`] loads many files as one Sigma set, so correlations
//!   and filters may be in other files than the rules they name.
//! - `.jsonl`/`.ndjson`: one SPL search per line, as a JSON string or as an object with
//!   `search` (and `name`, `id`, `description`, `tags`, as security_content exports them);
//!   each line is a rule, named `<file>:<line>` unless it has a `name`.

use crate::diagnostic::{codes, render_all, Diagnostic};
use crate::ir::Pipeline;
use crate::sigma::rule::{Document, DocumentKind};
use crate::sigma::SigmaIr;
use crate::spl::datamodel::Datamodels;
use crate::spl::macros::Macros;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
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
    /// Sigma `name:` (by which correlations name rules).
    #[serde(default)]
    pub name: Option<String>,
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

/// Macro and data model definitions that SPL rules are expanded and lowered with; the
/// processing pipelines and other files' documents (`--with`) Sigma rules are lowered with.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub macros: Macros,
    pub datamodels: Datamodels,
    pub sigma: crate::sigma::Options,
    /// Threads to load files on (1: the calling thread only).
    pub threads: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            macros: Macros::standard(),
            datamodels: Datamodels::standard(),
            sigma: crate::sigma::Options::default(),
            threads: 1,
        }
    }
}

/// The rules, or the error, of one file, as rules and errors.
fn split(loaded: Result<Vec<Rule>, RuleError>) -> (Vec<Rule>, Vec<RuleError>) {
    match loaded {
        Ok(rules) => (rules, Vec::new()),
        Err(e) => (Vec::new(), vec![e]),
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
    if top("detection:") || top("correlation:") || (top("filter:") && top("logsource:")) {
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

/// Loads one rule file into its rules (a Sigma file may hold several, a file of searches one per
/// line); of several errors, the first.
pub fn load_rule(path: &Path, opts: &LoadOptions) -> Result<Vec<Rule>, RuleError> {
    let (rules, mut errors) = load_file(path, opts);
    match errors.is_empty() {
        true => Ok(rules),
        false => Err(errors.remove(0)),
    }
}

/// Whether the file is read as JSON Lines of searches, one rule per line.
pub fn is_search_lines(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "jsonl" || e == "ndjson")
}

/// The rules of one file, and an error for each part that does not load (a file of searches
/// has one per line; any other file fails whole).
fn load_file(path: &Path, opts: &LoadOptions) -> (Vec<Rule>, Vec<RuleError>) {
    let name = path.to_string_lossy().into_owned();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            let message = format!(
                "cannot read rule file `{name}`: {}",
                crate::io::io_reason(&e)
            );
            let error = RuleError::new("", "", vec![Diagnostic::error(codes::IO, message)]);
            return (Vec::new(), vec![error]);
        }
    };
    if is_search_lines(path) {
        return load_search_lines(path, &text, opts);
    }
    split(load_one(path, &name, text, opts))
}

/// A rule file other than a file of searches: SPL, Sigma or a security_content detection.
fn load_one(
    path: &Path,
    name: &str,
    text: String,
    opts: &LoadOptions,
) -> Result<Vec<Rule>, RuleError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "yml" | "yaml" => match yaml_kind(&text) {
            YamlKind::Sigma => load_sigma(path, &text, opts, &[]),
            YamlKind::SecurityContent => load_security_content(path, &text, opts),
            YamlKind::Other => Err(RuleError::new(
                name,
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
    load_spl_named(path, &path.to_string_lossy(), text, meta, opts)
}

/// [`load_spl`], its errors naming the text `name` (a line of a file of searches).
fn load_spl_named(
    path: &Path,
    name: &str,
    text: String,
    meta: Meta,
    opts: &LoadOptions,
) -> Result<Rule, RuleError> {
    let name = name.to_string();
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
    let (search, meta) = detection.into_search();
    Ok(vec![load_spl(path, search, meta, opts)?])
}

impl Detection {
    /// The detection's search, and what it says about itself.
    fn into_search(self) -> (String, Meta) {
        let meta = Meta {
            title: self.name,
            id: self.id,
            name: None,
            level: None,
            tags: attack_ids(self.tags.as_ref()),
            description: self.description,
        };
        (self.search, meta)
    }
}

/// The searches of a JSON Lines file, one per line (see the module's summary): the rules of the
/// lines that load, and an error for each that does not, named by its line.
fn load_search_lines(path: &Path, text: &str, opts: &LoadOptions) -> (Vec<Rule>, Vec<RuleError>) {
    let file = path.to_string_lossy();
    let (mut rules, mut errors) = (Vec::new(), Vec::new());
    for (at, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("{file}:{}", at + 1);
        let read = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::String(search)) => Ok((
                search,
                Meta {
                    title: place.clone(),
                    ..Meta::default()
                },
            )),
            Ok(object @ serde_json::Value::Object(_)) => {
                serde_json::from_value::<Detection>(object)
                    .map(Detection::into_search)
                    .map_err(|e| format!("not a detection: {e}"))
            }
            Ok(_) => Err(
                "neither a search (a JSON string) nor a detection (an object with `search`)"
                    .to_string(),
            ),
            Err(e) => Err(format!("invalid JSON: {e}")),
        };
        let loaded = read
            .map_err(|message| {
                let message = format!("{place}: {message}");
                RuleError::new("", "", vec![Diagnostic::error(codes::IO, message)])
            })
            .and_then(|(search, meta)| {
                let name = format!("{file} line {}", at + 1);
                load_spl_named(path, &name, search, meta, opts)
            });
        match loaded {
            Ok(rule) => rules.push(rule),
            Err(e) => errors.push(e),
        }
    }
    (rules, errors)
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

/// Sigma: every rule and correlation of the file, lowered with the file's other documents, the
/// documents of `opts.sigma` and `extra`; filters apply to the rules they name. Rules that a
/// correlation of the file names are not run alone unless it says `generate: true`.
fn load_sigma(
    path: &Path,
    text: &str,
    opts: &LoadOptions,
    extra: &[Document],
) -> Result<Vec<Rule>, RuleError> {
    let docs = sigma_documents(path, text)?;
    lower_sigma(path, text, &docs, opts, extra)
}

/// The documents of a Sigma file.
pub fn sigma_documents(path: &Path, text: &str) -> Result<Vec<Document>, RuleError> {
    crate::sigma::rule::load(text).map_err(|d| RuleError::new(&path.to_string_lossy(), text, d))
}

fn lower_sigma(
    path: &Path,
    text: &str,
    main: &[Document],
    opts: &LoadOptions,
    extra: &[Document],
) -> Result<Vec<Rule>, RuleError> {
    let others: Vec<Document> = opts.sigma.others.iter().chain(extra).cloned().collect();
    let lowered = crate::sigma::set::Set::new(main, &others, &opts.sigma.pipelines)
        .and_then(|set| set.lower())
        .map_err(|d| RuleError::new(&path.to_string_lossy(), text, d))?;
    Ok(lowered
        .into_iter()
        .map(|ir| sigma_rule(path, text, ir))
        .collect())
}

/// Document `n` of a Sigma file lowered alone, with the file's other documents at hand (the
/// rules and correlations it may name, filters): a rule that a correlation hides is run too.
/// A filter document gives no rule.
pub fn load_sigma_document(
    path: &Path,
    text: &str,
    docs: &[Document],
    n: usize,
    opts: &LoadOptions,
) -> Result<Option<Rule>, RuleError> {
    let rest: Vec<Document> = docs
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != n)
        .map(|(_, d)| d.clone())
        .collect();
    let Some(doc) = docs.get(n) else {
        return Ok(None);
    };
    let rules = lower_sigma(path, text, std::slice::from_ref(doc), opts, &rest)?;
    Ok(rules.into_iter().next())
}

fn sigma_rule(path: &Path, text: &str, ir: SigmaIr) -> Rule {
    Rule {
        path: path.to_path_buf(),
        language: Language::Sigma,
        meta: Meta {
            title: ir.title,
            id: ir.id,
            name: ir.name,
            level: ir.level,
            tags: ir.tags,
            description: None,
        },
        text: text.to_string(),
        expanded: text.to_string(),
        pipeline: ir.pipeline,
    }
}

/// Loads many rule files (a hunt's rule set); all load errors are returned. The Sigma files among
/// them form one set: a correlation may name rules of another file of the set, and a filter
/// applies to the rules it names wherever they are. A rule that a correlation names is not run
/// alone unless the correlation says `generate: true`.
pub fn load_rules(files: &[PathBuf], opts: &LoadOptions) -> Result<Vec<Rule>, Vec<RuleError>> {
    // The Sigma documents of each file (None: not Sigma, or broken and reported when loaded).
    let sigma: Vec<Option<(String, Vec<Document>)>> = crate::par::map(files, opts.threads, |f| {
        let yaml = f.extension().is_some_and(|e| e == "yml" || e == "yaml");
        let text = std::fs::read_to_string(f).ok().filter(|_| yaml)?;
        if yaml_kind(&text) != YamlKind::Sigma {
            return None;
        }
        let docs = crate::sigma::rule::load(&text).ok()?;
        Some((text, docs))
    });
    let mut by_name: HashMap<&str, (usize, &Document)> = HashMap::new();
    let mut hidden: HashSet<String> = HashSet::new();
    for (i, (_, docs)) in sigma
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.as_ref()?)))
    {
        for doc in docs {
            for name in crate::sigma::set::names(doc) {
                by_name.entry(name).or_insert((i, doc));
            }
            if let Some(c) = correlation_of(doc).filter(|c| !c.generate) {
                hidden.extend(c.rules);
            }
        }
    }
    // Every file's filters, by file: each rule file is lowered with the others'.
    let filters: Vec<(usize, &Document)> = sigma
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.as_ref()?)))
        .flat_map(|(i, (_, docs))| docs.iter().map(move |d| (i, d)))
        .filter(|(_, d)| matches!(d.kind, DocumentKind::Filter(_)))
        .collect();
    let (mut rules, mut errors) = (Vec::new(), Vec::new());
    let indexed: Vec<(usize, &PathBuf)> = files.iter().enumerate().collect();
    let all = crate::par::map(&indexed, opts.threads, |&(i, file)| {
        match sigma.get(i).and_then(Option::as_ref) {
            Some((text, docs)) => {
                let extra = needed(i, docs, &filters, &by_name);
                split(lower_sigma(file, text, docs, opts, &extra))
            }
            None => load_file(file, opts),
        }
    });
    for (loaded, failed) in all {
        rules.extend(loaded);
        errors.extend(failed);
    }
    rules.retain(|r| {
        r.language != Language::Sigma
            || !r
                .meta
                .id
                .iter()
                .chain(&r.meta.name)
                .any(|n| hidden.contains(n))
    });
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

fn correlation_of(doc: &Document) -> Option<crate::sigma::correlation::Correlation> {
    match &doc.kind {
        DocumentKind::Correlation(meta) => crate::sigma::correlation::read(meta).ok(),
        _ => None,
    }
}

/// The documents of other files that file `i` needs: every filter, and what its correlations
/// name (and what those name in turn).
fn needed(
    i: usize,
    docs: &[Document],
    filters: &[(usize, &Document)],
    by_name: &HashMap<&str, (usize, &Document)>,
) -> Vec<Document> {
    let mut out: Vec<Document> = filters
        .iter()
        .filter(|(j, _)| *j != i)
        .map(|(_, d)| (*d).clone())
        .collect();
    let mut wanted: Vec<String> = docs
        .iter()
        .filter_map(correlation_of)
        .flat_map(|c| c.rules)
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    while let Some(name) = wanted.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some((j, doc)) = by_name.get(name.as_str()) else {
            continue;
        };
        if *j == i
            || docs
                .iter()
                .any(|d| crate::sigma::set::names(d).contains(&name.as_str()))
        {
            continue;
        }
        if let Some(c) = correlation_of(doc) {
            wanted.extend(c.rules);
        }
        out.push((*doc).clone());
    }
    out
}
