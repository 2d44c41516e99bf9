//! `spelunk check`: what the Sigma specification requires of a rule and what `sigma check`
//! validates: required fields, id as UUID, status/level enums, dates, tag format, modifiers,
//! undefined and unused search identifiers, duplicate ids across files. Errors fail the check;
//! warnings (style, older forms) do not.

use crate::diagnostic::{codes, Diagnostic, Severity, Span};
use crate::sigma::condition::{self, CondKind, Condition, Target};
use crate::sigma::rule::{self, Document, DocumentKind, Rule};
use serde_yaml::{Mapping, Value as Yaml};

/// One file to check: its name and text.
pub struct Input {
    pub name: String,
    pub text: String,
}

/// The diagnostics of one file.
pub struct Report {
    pub name: String,
    pub diagnostics: Vec<Diagnostic>,
}

const STATUS: &[&str] = &[
    "stable",
    "test",
    "experimental",
    "deprecated",
    "unsupported",
];
const LEVEL: &[&str] = &["informational", "low", "medium", "high", "critical"];

fn err(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::SIGMA_LINT, message)
}

fn warn(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(codes::SIGMA_LINT, message)
}

/// Checks every file; ids are compared across all of them. References between files (a
/// correlation naming another file's rule, filters) are resolved across the whole set.
pub fn check(inputs: &[Input]) -> Vec<Report> {
    let loaded: Vec<Result<Vec<Document>, Vec<Diagnostic>>> =
        inputs.iter().map(|i| rule::load(&i.text)).collect();
    let all: Vec<Document> = loaded
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .flatten()
        .cloned()
        .collect();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut reports = Vec::new();
    for (input, docs) in inputs.iter().zip(loaded) {
        let mut diagnostics = Vec::new();
        match docs {
            Err(e) => diagnostics.extend(e),
            Ok(docs) => {
                for doc in &docs {
                    diagnostics.extend(document(doc));
                    diagnostics.extend(duplicate_id(doc, &input.name, &mut seen));
                }
                diagnostics.extend(lowering(&input.text, &docs, &all));
            }
        }
        diagnostics.sort_by_key(|d| d.span.map_or(0, |s| s.start));
        reports.push(Report {
            name: input.name.clone(),
            diagnostics,
        });
    }
    reports
}

/// The file's rules lowered with every other document; placeholders (resolved by pipelines)
/// and unsupported features are warnings, everything else an error.
fn lowering(text: &str, docs: &[Document], all: &[Document]) -> Vec<Diagnostic> {
    let needs_others = docs
        .iter()
        .any(|d| matches!(d.kind, DocumentKind::Correlation(_)));
    let options = crate::sigma::Options {
        others: if needs_others {
            all.to_vec()
        } else {
            Vec::new()
        },
        pipelines: Vec::new(),
    };
    match crate::sigma::to_ir_with(text, &options) {
        Ok(_) => Vec::new(),
        Err(ds) => ds
            .into_iter()
            .map(|d| match d.code {
                codes::SIGMA_PLACEHOLDER | codes::SIGMA_UNSUPPORTED => Diagnostic {
                    severity: Severity::Warning,
                    ..d
                },
                _ => d,
            })
            .collect(),
    }
}

/// Where `key:` is in the document, as a file span.
fn at(doc: &Document, key: &str) -> Option<Span> {
    rule::locate(&doc.text, key).map(|s| Span::new(s.start + doc.offset, s.end + doc.offset))
}

/// Where `value` is written after `key:` in the document (else the key).
fn value_at(doc: &Document, key: &str, value: &str) -> Option<Span> {
    let k = rule::locate(&doc.text, key)?;
    match doc.text[k.end..].find(value) {
        Some(i) if !value.is_empty() => {
            let start = doc.offset + k.end + i;
            Some(Span::new(start, start + value.len()))
        }
        _ => at(doc, key),
    }
}

fn place(d: Diagnostic, span: Option<Span>) -> Diagnostic {
    match span {
        Some(s) => d.at(s),
        None => d,
    }
}

/// The checks of one document.
fn document(doc: &Document) -> Vec<Diagnostic> {
    let raw: Mapping = serde_yaml::from_str(&doc.text).unwrap_or_default();
    let mut out = Vec::new();
    let title = match &doc.kind {
        DocumentKind::Rule(r) => &r.title,
        DocumentKind::Correlation(m) | DocumentKind::Filter(m) => &m.title,
    };
    if title.trim().is_empty() {
        out.push(err("a Sigma document needs a `title`"));
    } else if title.chars().count() > 256 {
        out.push(place(
            warn("`title` is longer than 256 characters"),
            at(doc, "title"),
        ));
    }
    out.extend(identifier(doc, &raw));
    for (key, allowed) in [("status", STATUS), ("level", LEVEL)] {
        if let Some(v) = raw.get(key) {
            let text = v.as_str().unwrap_or_default();
            if !allowed.contains(&text) {
                out.push(place(
                    err(format!(
                        "`{key}: {text}` is not one of {}",
                        allowed.join(", ")
                    )),
                    value_at(doc, key, text),
                ));
            }
        }
    }
    for key in ["date", "modified"] {
        if let Some(v) = raw.get(key) {
            out.extend(date(doc, key, v));
        }
    }
    out.extend(tags(doc, &raw));
    if let DocumentKind::Rule(r) = &doc.kind {
        out.extend(rule_checks(doc, r, &raw));
    }
    out
}

fn identifier(doc: &Document, raw: &Mapping) -> Option<Diagnostic> {
    match raw.get("id") {
        None => Some(warn(
            "no `id`: give the rule a UUID so it can be referenced",
        )),
        Some(Yaml::String(id)) if is_uuid(id) => None,
        Some(v) => {
            let text = v.as_str().unwrap_or_default();
            Some(place(
                err(format!("`id: {text}` is not a UUID"))
                    .help("e.g. 0e95725d-7320-415d-80f7-004da920fc11"),
                value_at(doc, "id", text),
            ))
        }
    }
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_uuid(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    parts.len() == 5
        && parts
            .iter()
            .zip(lens)
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn date(doc: &Document, key: &str, v: &Yaml) -> Option<Diagnostic> {
    let text = match v {
        Yaml::String(s) => s.clone(),
        other => format!("{other:?}"),
    };
    let shape = |sep: char| {
        let p: Vec<&str> = text.split(sep).collect();
        let [year, month, day] = p.as_slice() else {
            return false;
        };
        year.len() == 4
            && month.len() == 2
            && day.len() == 2
            && p.iter().all(|x| x.chars().all(|c| c.is_ascii_digit()))
            && (1..=12).contains(&month.parse::<u32>().unwrap_or(0))
            && (1..=31).contains(&day.parse::<u32>().unwrap_or(0))
    };
    let span = value_at(doc, key, &text);
    if shape('-') {
        None
    } else if shape('/') {
        Some(place(
            warn(format!("`{key}: {text}` uses the older YYYY/MM/DD form"))
                .help("write YYYY-MM-DD"),
            span,
        ))
    } else {
        Some(place(
            err(format!("`{key}: {text}` is not a date (YYYY-MM-DD)")),
            span,
        ))
    }
}

fn tags(doc: &Document, raw: &Mapping) -> Vec<Diagnostic> {
    let Some(Yaml::Sequence(list)) = raw.get("tags") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for tag in list.iter().filter_map(Yaml::as_str) {
        if let Some(problem) = tag_problem(tag) {
            out.push(place(
                err(format!("tag `{tag}`: {problem}")),
                value_at(doc, "tags", tag),
            ));
        }
    }
    let mut sorted: Vec<&str> = list.iter().filter_map(Yaml::as_str).collect();
    sorted.sort();
    if let Some((twice, _)) = sorted
        .iter()
        .zip(sorted.iter().skip(1))
        .find(|(a, b)| a == b)
    {
        out.push(place(
            warn(format!("tag `{twice}` is listed twice")),
            value_at(doc, "tags", twice),
        ));
    }
    out
}

/// Why a tag is malformed: `namespace.value`, lower case; `attack.tNNNN[.NNN]` for techniques.
pub fn tag_problem(tag: &str) -> Option<String> {
    let Some((namespace, value)) = tag.split_once('.') else {
        return Some("expected `namespace.value` (e.g. attack.t1059.001)".into());
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.".contains(c))
    };
    if !ok(namespace) || !ok(value) {
        return Some("tags are lower-case letters, digits, `_`, `-` and `.`".into());
    }
    let technique = value
        .strip_prefix('t')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    if let (Some(rest), "attack") = (technique, namespace) {
        let (main, sub) = rest.split_once('.').unwrap_or((rest, ""));
        let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
        if !digits(main, 4) || !(sub.is_empty() || digits(sub, 3)) {
            return Some("ATT&CK techniques are attack.tNNNN or attack.tNNNN.NNN".into());
        }
    }
    None
}

fn rule_checks(doc: &Document, r: &Rule, raw: &Mapping) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let l = &r.logsource;
    if !raw.contains_key("logsource") {
        out.push(err("a rule needs a `logsource`"));
    } else if l.category.is_none() && l.product.is_none() && l.service.is_none() {
        out.push(place(
            err("`logsource` needs a category, product or service"),
            at(doc, "logsource"),
        ));
    }
    out.extend(unused(doc, r));
    for (name, search) in &r.detection.searches {
        out.extend(single_all(doc, name, search));
    }
    out
}

/// `|all` on one value (not a list) changes nothing and is usually a mistake.
fn single_all(doc: &Document, name: &str, search: &rule::Search) -> Vec<Diagnostic> {
    let maps: Vec<&Vec<(String, rule::Values)>> = match search {
        rule::Search::Map(m) => vec![m],
        rule::Search::Maps(ms) => ms.iter().collect(),
        rule::Search::Keywords(_) => Vec::new(),
    };
    maps.into_iter()
        .flatten()
        .filter(|(k, v)| k.split('|').any(|m| m == "all") && v.items.len() < 2)
        .map(|(k, _)| {
            place(
                warn(format!("`{k}` in `{name}`: `|all` with a single value")),
                at(doc, k),
            )
        })
        .collect()
}

/// Search identifiers no condition uses.
fn unused(doc: &Document, r: &Rule) -> Vec<Diagnostic> {
    let mut idents = Vec::new();
    let mut targets = Vec::new();
    for text in &r.detection.conditions {
        let Ok(c) = condition::parse(text) else {
            return Vec::new();
        };
        collect(&c, &mut idents, &mut targets);
    }
    r.detection
        .searches
        .keys()
        .filter(|name| {
            !idents.contains(name)
                && !targets.iter().any(|t| match t {
                    Target::Them => !name.starts_with('_'),
                    Target::Pattern(p) => condition::pattern_matches(p, name),
                })
        })
        .map(|name| {
            place(
                warn(format!(
                    "search identifier `{name}` is not used by the condition"
                )),
                at(doc, name),
            )
        })
        .collect()
}

fn collect(c: &Condition, idents: &mut Vec<String>, targets: &mut Vec<Target>) {
    match &c.kind {
        CondKind::Ident(n) => idents.push(n.clone()),
        CondKind::OneOf(t) | CondKind::AllOf(t) => targets.push(t.clone()),
        CondKind::Not(inner) => collect(inner, idents, targets),
        CondKind::And(items) | CondKind::Or(items) => {
            items.iter().for_each(|i| collect(i, idents, targets))
        }
    }
}

/// An id already used by an earlier document (this file or another).
fn duplicate_id(
    doc: &Document,
    file: &str,
    seen: &mut Vec<(String, String)>,
) -> Option<Diagnostic> {
    let id = crate::sigma::set::names(doc)
        .into_iter()
        .find(|n| is_uuid(n))?
        .to_string();
    if let Some((_, first)) = seen.iter().find(|(s, f)| *s == id && f != file) {
        return Some(place(
            err(format!("duplicate id `{id}`: also used in {first}")),
            value_at(doc, "id", &id),
        ));
    }
    seen.push((id, file.to_string()));
    None
}
