//! Reading pySigma processing-pipeline YAML into [`Pipeline`]: every transformation or condition
//! type spelunk does not apply is a clear "not supported yet" error, never silently skipped.

use crate::diagnostic::{codes, Diagnostic};
use crate::sigma::pipeline::{
    error, FieldCondition, Item, ItemCondition, Pipeline, RuleCondition, Transformation,
};
use serde_yaml::{Mapping, Value as Yaml};

fn unsupported(what: String) -> Diagnostic {
    Diagnostic::error(
        codes::SIGMA_UNSUPPORTED,
        format!("not supported yet: {what}"),
    )
}

fn text(map: &Mapping, key: &str) -> Option<String> {
    match map.get(key)? {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(value: Option<&Yaml>) -> Vec<String> {
    match value {
        Some(Yaml::Sequence(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(Yaml::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The whole pipeline document.
pub fn pipeline(value: &Yaml) -> Result<Pipeline, Diagnostic> {
    let Yaml::Mapping(map) = value else {
        return Err(error(
            "a pipeline must be a YAML map with `transformations`",
        ));
    };
    let mut vars = Vec::new();
    if let Some(Yaml::Mapping(v)) = map.get("vars") {
        for (k, values) in v {
            let name = k.as_str().unwrap_or_default().to_string();
            let list = match values {
                Yaml::Sequence(_) => strings(Some(values)),
                other => vec![scalar_text(other)],
            };
            vars.push((name, list));
        }
    }
    let mut items = Vec::new();
    if let Some(Yaml::Sequence(list)) = map.get("transformations") {
        for (n, t) in list.iter().enumerate() {
            let Yaml::Mapping(t) = t else {
                return Err(error(format!("transformation {} must be a map", n + 1)));
            };
            items.push(item(t).map_err(|d| Diagnostic {
                message: format!("transformation {}: {}", n + 1, d.message),
                ..d
            })?);
        }
    } else {
        return Err(error("a pipeline needs a `transformations` list"));
    }
    Ok(Pipeline {
        name: text(map, "name").unwrap_or_default(),
        priority: map.get("priority").and_then(Yaml::as_i64).unwrap_or(0),
        vars,
        items,
    })
}

fn scalar_text(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn op_any(map: &Mapping, key: &str) -> Result<bool, Diagnostic> {
    match text(map, key).as_deref() {
        None | Some("and") => Ok(false),
        Some("or") => Ok(true),
        Some(other) => Err(error(format!("`{key}` must be and or or, found `{other}`"))),
    }
}

fn item(t: &Mapping) -> Result<Item, Diagnostic> {
    for key in [
        "rule_cond_expr",
        "detection_item_cond_expr",
        "field_name_cond_expr",
    ] {
        if t.contains_key(key) {
            return Err(unsupported(format!(
                "`{key}` in pipelines (use the list forms)"
            )));
        }
    }
    let list = |key: &str| match t.get(key) {
        Some(Yaml::Sequence(items)) => items.clone(),
        _ => Vec::new(),
    };
    let rule_conditions = list("rule_conditions")
        .iter()
        .map(rule_condition)
        .collect::<Result<_, _>>()?;
    let item_conditions = list("detection_item_conditions")
        .iter()
        .map(item_condition)
        .collect::<Result<_, _>>()?;
    let field_conditions = list("field_name_conditions")
        .iter()
        .map(|c| match c {
            Yaml::Mapping(m) => field_condition(m),
            _ => Err(error("a field name condition must be a map")),
        })
        .collect::<Result<_, _>>()?;
    let flag = |key: &str| t.get(key).and_then(Yaml::as_bool).unwrap_or(false);
    Ok(Item {
        id: text(t, "id"),
        transformation: transformation(t)?,
        rule_conditions,
        rule_any: op_any(t, "rule_cond_op")?,
        rule_not: flag("rule_cond_not"),
        item_conditions,
        item_any: op_any(t, "detection_item_cond_op")?,
        item_not: flag("detection_item_cond_not"),
        field_conditions,
        field_any: op_any(t, "field_name_cond_op")?,
        field_not: flag("field_name_cond_not"),
    })
}

fn transformation(t: &Mapping) -> Result<Transformation, Diagnostic> {
    let kind = text(t, "type").ok_or_else(|| error("a transformation needs a `type`"))?;
    let mapping = || match t.get("mapping") {
        Some(Yaml::Mapping(m)) => Ok(m.clone()),
        _ => Err(error(format!("`{kind}` needs a `mapping` map"))),
    };
    Ok(match kind.as_str() {
        "field_name_mapping" => Transformation::FieldNameMapping(
            mapping()?
                .iter()
                .map(|(k, v)| (scalar_text(k), strings(Some(v))))
                .collect(),
        ),
        "field_name_prefix_mapping" => Transformation::FieldNamePrefixMapping(
            mapping()?
                .iter()
                .map(|(k, v)| (scalar_text(k), scalar_text(v)))
                .collect(),
        ),
        "field_name_prefix" => Transformation::FieldNamePrefix(
            text(t, "prefix").ok_or_else(|| error("`field_name_prefix` needs `prefix`"))?,
        ),
        "field_name_suffix" => Transformation::FieldNameSuffix(
            text(t, "suffix").ok_or_else(|| error("`field_name_suffix` needs `suffix`"))?,
        ),
        "add_condition" => match t.get("conditions") {
            Some(Yaml::Mapping(m)) => Transformation::AddCondition {
                conditions: m.clone(),
                negated: t.get("negated").and_then(Yaml::as_bool).unwrap_or(false),
            },
            _ => return Err(error("`add_condition` needs a `conditions` map")),
        },
        "change_logsource" => Transformation::ChangeLogsource {
            category: text(t, "category"),
            product: text(t, "product"),
            service: text(t, "service"),
        },
        "drop_detection_item" => Transformation::DropDetectionItem,
        "value_placeholders" => Transformation::ValuePlaceholders,
        "rule_failure" | "detection_item_failure" => {
            Transformation::Failure(text(t, "message").unwrap_or_else(|| kind.clone()))
        }
        other => {
            return Err(unsupported(format!(
                "the pipeline transformation `{other}`"
            )))
        }
    })
}

fn rule_condition(c: &Yaml) -> Result<RuleCondition, Diagnostic> {
    let Yaml::Mapping(m) = c else {
        return Err(error("a rule condition must be a map"));
    };
    match text(m, "type").as_deref() {
        Some("logsource") => Ok(RuleCondition::Logsource {
            category: text(m, "category"),
            product: text(m, "product"),
            service: text(m, "service"),
        }),
        Some("tag") => Ok(RuleCondition::Tag(
            text(m, "tag").ok_or_else(|| error("a `tag` condition needs `tag`"))?,
        )),
        Some("processing_item_applied") => Ok(RuleCondition::Applied(
            text(m, "processing_item_id").unwrap_or_default(),
        )),
        Some(other) => Err(unsupported(format!("the rule condition `{other}`"))),
        None => Err(error("a rule condition needs a `type`")),
    }
}

fn item_condition(c: &Yaml) -> Result<ItemCondition, Diagnostic> {
    let Yaml::Mapping(m) = c else {
        return Err(error("a detection item condition must be a map"));
    };
    match text(m, "type").as_deref() {
        Some("match_string") => {
            let pattern = text(m, "pattern").unwrap_or_default();
            Ok(ItemCondition::MatchString {
                pattern: regex::Regex::new(&pattern)
                    .map_err(|e| error(format!("`match_string` pattern: {e}")))?,
                all: text(m, "cond").as_deref() == Some("all"),
                negate: m.get("negate").and_then(Yaml::as_bool).unwrap_or(false),
            })
        }
        Some("is_null") => Ok(ItemCondition::IsNull),
        Some("include_fields" | "exclude_fields") => Ok(ItemCondition::Field(field_condition(m)?)),
        Some("processing_item_applied") => Ok(ItemCondition::Applied(
            text(m, "processing_item_id").unwrap_or_default(),
        )),
        Some(other) => Err(unsupported(format!(
            "the detection item condition `{other}`"
        ))),
        None => Err(error("a detection item condition needs a `type`")),
    }
}

fn field_condition(m: &Mapping) -> Result<FieldCondition, Diagnostic> {
    let include = match text(m, "type").as_deref() {
        Some("include_fields") => true,
        Some("exclude_fields") => false,
        Some(other) => return Err(unsupported(format!("the field name condition `{other}`"))),
        None => return Err(error("a field name condition needs a `type`")),
    };
    let fields = strings(m.get("fields"));
    let regexes = if text(m, "mode").as_deref() == Some("re") {
        fields
            .iter()
            .map(|f| regex::Regex::new(&format!("^(?:{f})$")))
            .collect::<Result<_, _>>()
            .map_err(|e| error(format!("field name regex: {e}")))?
    } else {
        Vec::new()
    };
    Ok(FieldCondition {
        include,
        fields,
        regexes,
    })
}
