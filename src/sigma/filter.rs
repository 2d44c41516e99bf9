//! Sigma filters (Sigma Filters specification v2; applied as pySigma does): a `filter:` document
//! names rules (by id or name, or `any`) and holds a detection; each named rule whose logsource
//! has every logsource field the filter gives keeps its condition and must also meet the filter's
//! (`(rule condition) and (filter condition)`, so exclusions are written `condition: not sel`).

use crate::diagnostic::{codes, Diagnostic};
use crate::sigma::rule::{Detection, LogSource, Meta};
use serde_yaml::Value as Yaml;

/// A filter document, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub title: String,
    pub targets: Targets,
    pub logsource: LogSource,
    pub detection: Detection,
}

/// The rules a filter applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// `rules: any` / `rules: all` / `rules: []`: every rule with a matching logsource
    Any,
    /// `rules: [id-or-name, ...]`
    Named(Vec<String>),
}

fn error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::SIGMA_DETECTION, message)
}

/// Reads a filter document.
pub fn read(meta: &Meta) -> Result<Filter, Diagnostic> {
    let logsource = match meta.rest.get("logsource") {
        Some(l) => serde_yaml::from_value(l.clone())
            .map_err(|e| error(format!("invalid filter `logsource`: {e}")))?,
        None => return Err(error("a filter needs a `logsource`")),
    };
    let Some(Yaml::Mapping(section)) = meta.rest.get("filter") else {
        return Err(error(
            "`filter` must be a map with `rules`, search identifiers and `condition`",
        ));
    };
    let mut section = section.clone();
    let targets = match section.remove("rules") {
        None => {
            return Err(error(
                "a filter needs `rules` (rule ids or names, or `any`)",
            ))
        }
        Some(Yaml::String(s)) if s.eq_ignore_ascii_case("any") || s.eq_ignore_ascii_case("all") => {
            Targets::Any
        }
        Some(Yaml::String(s)) => Targets::Named(vec![s]),
        Some(Yaml::Sequence(items)) if items.is_empty() => Targets::Any,
        Some(Yaml::Sequence(items)) => Targets::Named(
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| error("each entry of filter `rules` must be an id or name"))
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(_) => return Err(error("filter `rules` must be a list of rule ids or names")),
    };
    if !matches!(section.get("condition"), Some(Yaml::String(_))) {
        return Err(error("a filter needs exactly one `condition` (a string)"));
    }
    let detection: Detection = serde_yaml::from_value(Yaml::Mapping(section))
        .map_err(|e| error(format!("invalid filter: {e}")))?;
    Ok(Filter {
        title: meta.title.clone(),
        targets,
        logsource,
        detection,
    })
}

impl Filter {
    /// Whether the filter applies to a rule with these names (`id`, `name`) and logsource.
    pub fn applies(&self, names: &[&str], logsource: &LogSource) -> bool {
        let named = match &self.targets {
            Targets::Any => true,
            Targets::Named(refs) => refs.iter().any(|r| names.contains(&r.as_str())),
        };
        named && contains(&self.logsource, logsource)
    }
}

/// Whether `rule` has every field `filter` gives, with the same value (case-insensitive).
fn contains(filter: &LogSource, rule: &LogSource) -> bool {
    let same = |f: &Option<String>, r: &Option<String>| match (f, r) {
        (None, _) => true,
        (Some(f), Some(r)) => f.eq_ignore_ascii_case(r),
        (Some(_), None) => false,
    };
    same(&filter.category, &rule.category)
        && same(&filter.product, &rule.product)
        && same(&filter.service, &rule.service)
}
