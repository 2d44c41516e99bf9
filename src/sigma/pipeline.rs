//! pySigma processing pipelines (YAML, `--pipeline FILE|NAME`): `name`, `priority`, `vars` and
//! `transformations`, each with its rule, detection-item and field-name conditions. The shipped
//! pipelines of `rules/pipelines/` are known by name. Applied to the rule model before lowering
//! (see `transform`), lowest `priority` first.

use crate::diagnostic::{codes, Diagnostic};
use crate::sigma::rule::Rule;
use serde_yaml::{Mapping, Value as Yaml};

/// A processing pipeline.
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    pub name: String,
    pub priority: i64,
    pub vars: Vec<(String, Vec<String>)>,
    pub items: Vec<Item>,
}

/// One processing item: a transformation and when it applies.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: Option<String>,
    pub transformation: Transformation,
    pub rule_conditions: Vec<RuleCondition>,
    /// `rule_cond_op: or` (default and); `rule_cond_not`
    pub rule_any: bool,
    pub rule_not: bool,
    pub item_conditions: Vec<ItemCondition>,
    pub item_any: bool,
    pub item_not: bool,
    pub field_conditions: Vec<FieldCondition>,
    pub field_any: bool,
    pub field_not: bool,
}

/// The transformations spelunk applies.
#[derive(Debug, Clone)]
pub enum Transformation {
    /// `field_name_mapping`: `mapping: {Image: process.executable}` (a list means any of them)
    FieldNameMapping(Vec<(String, Vec<String>)>),
    /// `field_name_prefix_mapping`: `mapping: {"winlog.": "event."}`
    FieldNamePrefixMapping(Vec<(String, String)>),
    /// `field_name_prefix`: `prefix: winlog.event_data.`
    FieldNamePrefix(String),
    /// `field_name_suffix`: `suffix: .keyword`
    FieldNameSuffix(String),
    /// `add_condition`: `conditions: {EventID: 1}` ANDed to the rule (`negated: true`: AND NOT)
    AddCondition { conditions: Mapping, negated: bool },
    /// `change_logsource`: `category`, `product`, `service`
    ChangeLogsource {
        category: Option<String>,
        product: Option<String>,
        service: Option<String>,
    },
    /// `drop_detection_item`: items the conditions select are removed
    DropDetectionItem,
    /// `value_placeholders`: `%name%` of `|expand` values from `vars`
    ValuePlaceholders,
    /// `rule_failure` / `detection_item_failure`: `message`
    Failure(String),
}

/// `rule_conditions` entries.
#[derive(Debug, Clone)]
pub enum RuleCondition {
    /// `type: logsource` with `category`/`product`/`service`
    Logsource {
        category: Option<String>,
        product: Option<String>,
        service: Option<String>,
    },
    /// `type: tag`, `tag: attack.t1059`
    Tag(String),
    /// `type: processing_item_applied`, `processing_item_id: x`
    Applied(String),
}

/// `detection_item_conditions` entries.
#[derive(Debug, Clone)]
pub enum ItemCondition {
    /// `type: match_string`, `pattern`, `cond: any|all`, `negate`
    MatchString {
        pattern: regex::Regex,
        all: bool,
        negate: bool,
    },
    /// `type: is_null`
    IsNull,
    /// `type: include_fields` / `exclude_fields` on the item's field
    Field(FieldCondition),
    /// `type: processing_item_applied`
    Applied(String),
}

/// `field_name_conditions` entries: `include_fields` / `exclude_fields`, `fields`, `mode: plain|re`.
#[derive(Debug, Clone)]
pub struct FieldCondition {
    pub include: bool,
    pub fields: Vec<String>,
    pub regexes: Vec<regex::Regex>,
}

/// The shipped pipelines, by name.
const SHIPPED: &[(&[&str], &str)] = &[
    (
        &["sysmon"],
        include_str!("../../rules/pipelines/sysmon.yml"),
    ),
    (
        &["windows-audit", "windows_audit"],
        include_str!("../../rules/pipelines/windows-audit.yml"),
    ),
    (
        &["splunk-cim", "splunk_cim", "cim"],
        include_str!("../../rules/pipelines/splunk-cim.yml"),
    ),
    (
        &["ecs", "ecs_windows", "ecs-windows"],
        include_str!("../../rules/pipelines/ecs.yml"),
    ),
];

/// The text of a shipped pipeline.
pub fn shipped(name: &str) -> Option<&'static str> {
    SHIPPED
        .iter()
        .find(|(names, _)| names.contains(&name))
        .map(|(_, text)| *text)
}

/// The names of the shipped pipelines.
pub fn shipped_names() -> Vec<&'static str> {
    SHIPPED
        .iter()
        .filter_map(|(names, _)| names.first().copied())
        .collect()
}

pub(crate) fn error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::SIGMA_PIPELINE, message)
}

/// Reads a pipeline's YAML.
pub fn parse(text: &str) -> Result<Pipeline, Diagnostic> {
    let value: Yaml =
        serde_yaml::from_str(text).map_err(|e| error(format!("invalid pipeline YAML: {e}")))?;
    crate::sigma::pipeline_read::pipeline(&value)
}

/// The rule after every pipeline, lowest priority first (stable).
pub fn apply_all(pipelines: &[Pipeline], rule: &Rule) -> Result<Rule, Diagnostic> {
    let mut ordered: Vec<&Pipeline> = pipelines.iter().collect();
    ordered.sort_by_key(|p| p.priority);
    let mut rule = rule.clone();
    let mut applied = Vec::new();
    for p in ordered {
        crate::sigma::transform::apply(p, &mut rule, &mut applied)?;
    }
    Ok(rule)
}

/// A pipeline by shipped name (`sysmon`, `windows-audit`, `splunk-cim`, `ecs`) or file path.
pub fn load(name_or_path: &str) -> Result<Pipeline, Diagnostic> {
    if let Some(text) = shipped(name_or_path) {
        return parse(text);
    }
    let text = std::fs::read_to_string(name_or_path).map_err(|e| {
        Diagnostic::error(
            codes::IO,
            format!(
                "cannot read pipeline `{name_or_path}`: {}",
                crate::io::io_reason(&e)
            ),
        )
        .help(format!(
            "give a pipeline file or one of the shipped pipelines: {}",
            shipped_names().join(", ")
        ))
    })?;
    parse(&text).map_err(|d| Diagnostic {
        message: format!("{name_or_path}: {}", d.message),
        ..d
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_pipelines_parse() {
        for name in super::shipped_names() {
            let p = super::load(name).unwrap_or_else(|d| panic!("{name}: {d}"));
            assert!(!p.items.is_empty(), "{name} has transformations");
        }
    }
}
