//! The Sigma file model: YAML documents (rules, correlations, filters) as they are written, with
//! each detection's search identifiers kept as YAML shapes (map, list of maps, keywords).

use crate::diagnostic::{codes, Diagnostic, Span};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_yaml::Value as Yaml;

/// One YAML document of a Sigma file, with where it starts in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub kind: DocumentKind,
    /// Byte offset of the document in the file, for diagnostics.
    pub offset: usize,
    /// The document's text, for locating keys and conditions in diagnostics.
    #[serde(skip)]
    pub text: String,
}

/// What a document is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum DocumentKind {
    /// A detection rule: `logsource` + `detection`.
    Rule(Box<Rule>),
    /// A correlation rule: `correlation:` (kept as YAML until correlations are lowered).
    Correlation(Box<Meta>),
    /// A filter: `filter:` with `rules:` it applies to (kept as YAML until filters are applied).
    Filter(Box<Meta>),
}

/// The metadata every Sigma document shares, and the rest of the document as YAML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub title: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub level: Option<String>,
    #[serde(flatten)]
    pub rest: IndexMap<String, Yaml>,
}

/// A detection rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    #[serde(default)]
    pub title: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    pub level: Option<String>,
    #[serde(default)]
    pub logsource: LogSource,
    pub detection: Detection,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default)]
    pub falsepositives: Yaml,
}

/// `logsource:`: which events the rule is written for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogSource {
    pub category: Option<String>,
    pub product: Option<String>,
    pub service: Option<String>,
    pub definition: Option<String>,
}

/// `detection:`: search identifiers, the condition(s), and the old `timeframe`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    pub searches: IndexMap<String, Search>,
    /// One or more conditions (a list means OR).
    pub conditions: Vec<String>,
    pub timeframe: Option<String>,
}

/// A search identifier's value, by YAML shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Search {
    /// `sel: {Image|endswith: x, User: y}`: every item must match (AND)
    Map(Vec<(String, Values)>),
    /// `sel: [{a: 1}, {b: 2}]`: any map may match (OR)
    Maps(Vec<Vec<(String, Values)>>),
    /// `keywords: [evil, bad]` or `keywords: {'|all': [...]}`: values searched in the whole event
    Keywords(Values),
}

/// The value of one detection item: one scalar or a list of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Values {
    pub items: Vec<Scalar>,
    /// Whether the YAML value was a list (`|all` on a single value is suspicious).
    pub list: bool,
}

/// A scalar value of a detection item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Scalar {
    /// `null` / `~`: the field is absent
    Null,
    /// `true` / `false`
    Bool(bool),
    /// `4688`, `1.5`: kept as written
    Num(String),
    /// `'*\cmd.exe'`
    Str(String),
}

impl Scalar {
    /// The value as text (`null` is empty).
    pub fn text(&self) -> String {
        match self {
            Scalar::Null => String::new(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Num(n) | Scalar::Str(n) => n.clone(),
        }
    }
}

/// Loads every document of a Sigma file (after `action:` collections are merged).
pub fn load(text: &str) -> Result<Vec<Document>, Vec<Diagnostic>> {
    let (mut docs, mut errors) = (Vec::new(), Vec::new());
    if let Some(at) = crate::yaml::too_deep(text) {
        let d = Diagnostic::error(codes::SIGMA_YAML, crate::yaml::too_deep_message());
        return Err(vec![d.at(Span::new(at, at + 1))]);
    }
    let starts = document_starts(text);
    // A document ends where the `---` line before the next one starts.
    let bounds = |n: usize| {
        let offset = starts.get(n).copied().unwrap_or(0);
        let end = starts.get(n + 1).map_or(text.len(), |&next| {
            let before = text.get(..next).unwrap_or("");
            let line = before.trim_end_matches(['\r', '\n']);
            line.rfind('\n').map_or(0, |i| i + 1).max(offset)
        });
        (offset, text.get(offset..end).unwrap_or(text).to_string())
    };
    let mut values = Vec::new();
    for (n, de) in serde_yaml::Deserializer::from_str(text).enumerate() {
        match Yaml::deserialize(de) {
            Ok(value) => values.push((n, value)),
            Err(e) => {
                // The stream cannot go on after a syntax error (the iterator would repeat it).
                errors.push(yaml_error(&e, text));
                break;
            }
        }
    }
    let values = crate::sigma::action::apply(values).unwrap_or_else(|(n, message)| {
        let d = Diagnostic::error(codes::SIGMA_YAML, message);
        let (offset, doc_text) = bounds(n);
        let at = locate(&doc_text, "action").map(|s| Span::new(s.start + offset, s.end + offset));
        errors.push(match at {
            Some(s) => d.at(s),
            None => d,
        });
        Vec::new()
    });
    for (n, value) in values {
        let (offset, doc_text) = bounds(n);
        match document(value) {
            Ok(Some(kind)) => docs.push(Document {
                kind,
                offset,
                text: doc_text,
            }),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if docs.is_empty() {
        return Err(vec![Diagnostic::error(
            codes::SIGMA_YAML,
            "the file holds no Sigma document",
        )]);
    }
    Ok(docs)
}

/// Byte offsets where documents start: 0 and after each `---` line.
fn document_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" && offset > 0 {
            starts.push(offset + line.len());
        } else if line.trim_end() == "---" {
            starts = vec![line.len()];
        }
        offset += line.len();
    }
    starts
}

fn yaml_error(e: &serde_yaml::Error, text: &str) -> Diagnostic {
    let d = Diagnostic::error(codes::SIGMA_YAML, format!("invalid YAML: {e}"));
    match e.location() {
        Some(loc) if loc.index() <= text.len() => d.at(Span::new(loc.index(), loc.index() + 1)),
        _ => d,
    }
}

/// Classifies and reads one document; an empty document is `None`.
fn document(value: Yaml) -> Result<Option<DocumentKind>, Diagnostic> {
    let Yaml::Mapping(map) = value else {
        if value.is_null() {
            return Ok(None);
        }
        return Err(Diagnostic::error(
            codes::SIGMA_YAML,
            "a Sigma document must be a YAML mapping (`title:`, `logsource:`, `detection:` ...)",
        ));
    };
    let has = |k: &str| map.contains_key(k);
    let value = Yaml::Mapping(map.clone());
    let shape_error = |e: serde_yaml::Error| {
        Diagnostic::error(codes::SIGMA_YAML, format!("invalid Sigma document: {e}"))
    };
    if has("correlation") {
        let meta: Meta = serde_yaml::from_value(value).map_err(shape_error)?;
        return Ok(Some(DocumentKind::Correlation(Box::new(meta))));
    }
    if has("filter") && !has("detection") {
        let meta: Meta = serde_yaml::from_value(value).map_err(shape_error)?;
        return Ok(Some(DocumentKind::Filter(Box::new(meta))));
    }
    if !has("detection") {
        return Err(Diagnostic::error(
            codes::SIGMA_YAML,
            "not a Sigma rule: no `detection:` (nor `correlation:` or `filter:`)",
        ));
    }
    let rule: Rule = serde_yaml::from_value(value).map_err(shape_error)?;
    Ok(Some(DocumentKind::Rule(Box::new(rule))))
}

/// The span of the first `key:` written at the start of a line (after indentation) in `text`.
pub fn locate(text: &str, key: &str) -> Option<Span> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let bare = trimmed.trim_start_matches("- ");
        let lead = indent + (trimmed.len() - bare.len());
        for quote in ["", "'", "\""] {
            let rest = bare
                .strip_prefix(quote)
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix(quote));
            if rest.is_some_and(|r| r.trim_start().starts_with(':')) {
                let start = offset + lead;
                return Some(Span::new(start, start + key.len() + 2 * quote.len()));
            }
        }
        offset += line.len();
    }
    None
}

impl<'de> Deserialize<'de> for Detection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = IndexMap::<String, Yaml>::deserialize(d)?;
        detection(map).map_err(serde::de::Error::custom)
    }
}

fn detection(map: IndexMap<String, Yaml>) -> Result<Detection, String> {
    let mut out = Detection {
        searches: IndexMap::new(),
        conditions: Vec::new(),
        timeframe: None,
    };
    for (key, value) in map {
        match key.as_str() {
            "condition" => out.conditions = conditions(value)?,
            "timeframe" => out.timeframe = Some(scalar(&value)?.text()),
            _ => {
                let search =
                    search(value).map_err(|e| format!("search identifier `{key}`: {e}"))?;
                out.searches.insert(key, search);
            }
        }
    }
    if out.conditions.is_empty() {
        return Err("`detection` has no `condition`".to_string());
    }
    Ok(out)
}

fn conditions(value: Yaml) -> Result<Vec<String>, String> {
    match value {
        Yaml::String(s) => Ok(vec![s]),
        Yaml::Sequence(items) => items
            .into_iter()
            .map(|i| match i {
                Yaml::String(s) => Ok(s),
                _ => Err("each condition in the list must be a string".to_string()),
            })
            .collect(),
        _ => Err("`condition` must be a string or a list of strings".to_string()),
    }
}

fn search(value: Yaml) -> Result<Search, String> {
    match value {
        Yaml::Mapping(map) => Ok(Search::Map(map_items(map)?)),
        Yaml::Sequence(items) if items.iter().all(|i| matches!(i, Yaml::Mapping(_))) => {
            let maps = items
                .into_iter()
                .map(|i| match i {
                    Yaml::Mapping(m) => map_items(m),
                    _ => Err("expected a map".to_string()),
                })
                .collect::<Result<_, _>>()?;
            Ok(Search::Maps(maps))
        }
        other => Ok(Search::Keywords(values(other)?)),
    }
}

fn map_items(map: serde_yaml::Mapping) -> Result<Vec<(String, Values)>, String> {
    map.into_iter()
        .map(|(k, v)| {
            let key = scalar(&k)?.text();
            Ok((key.clone(), values(v).map_err(|e| format!("`{key}`: {e}"))?))
        })
        .collect()
}

pub(crate) fn values(value: Yaml) -> Result<Values, String> {
    match value {
        Yaml::Sequence(items) => Ok(Values {
            items: items.iter().map(scalar).collect::<Result<_, _>>()?,
            list: true,
        }),
        other => Ok(Values {
            items: vec![scalar(&other)?],
            list: false,
        }),
    }
}

fn scalar(value: &Yaml) -> Result<Scalar, String> {
    Ok(match value {
        Yaml::Null => Scalar::Null,
        Yaml::Bool(b) => Scalar::Bool(*b),
        Yaml::Number(n) => Scalar::Num(n.to_string()),
        Yaml::String(s) => Scalar::Str(s.clone()),
        Yaml::Tagged(t) => scalar(&t.value)?,
        Yaml::Sequence(_) => return Err("a nested list is not a valid value".to_string()),
        Yaml::Mapping(_) => return Err("a map is not a valid value here".to_string()),
    })
}
