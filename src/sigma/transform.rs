//! Applying a processing pipeline's items to a rule (pySigma semantics): each item applies when
//! its rule conditions hold; field-name transformations change the detection items whose
//! detection-item and field-name conditions hold.

use crate::diagnostic::Diagnostic;
use crate::sigma::pipeline::{
    error, FieldCondition, Item, ItemCondition, Pipeline, RuleCondition, Transformation,
};
use crate::sigma::rule::{LogSource, Rule, Scalar, Search, Values};

/// Item ids already applied to the rule (for `processing_item_applied`).
pub type Applied = Vec<String>;

/// Applies every item of the pipeline, in order.
pub fn apply(p: &Pipeline, rule: &mut Rule, applied: &mut Applied) -> Result<(), Diagnostic> {
    for item in &p.items {
        if !rule_matches(item, rule, applied) {
            continue;
        }
        let changed = apply_item(item, p, rule, applied)?;
        if changed {
            if let Some(id) = &item.id {
                applied.push(id.clone());
            }
        }
    }
    Ok(())
}

fn combine(results: impl Iterator<Item = bool>, any: bool, not: bool, empty: bool) -> bool {
    let results: Vec<bool> = results.collect();
    let value = if results.is_empty() {
        empty
    } else if any {
        results.iter().any(|r| *r)
    } else {
        results.iter().all(|r| *r)
    };
    value != not
}

fn rule_matches(item: &Item, rule: &Rule, applied: &Applied) -> bool {
    let one = |c: &RuleCondition| match c {
        RuleCondition::Logsource {
            category,
            product,
            service,
        } => {
            let same = |want: &Option<String>, have: &Option<String>| match (want, have) {
                (None, _) => true,
                (Some(w), Some(h)) => w.eq_ignore_ascii_case(h),
                (Some(_), None) => false,
            };
            let l = &rule.logsource;
            same(category, &l.category) && same(product, &l.product) && same(service, &l.service)
        }
        RuleCondition::Tag(tag) => rule.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)),
        RuleCondition::Applied(id) => applied.contains(id),
    };
    combine(
        item.rule_conditions.iter().map(one),
        item.rule_any,
        item.rule_not,
        true,
    )
}

/// Applies one item whose rule conditions hold; returns whether it changed anything.
fn apply_item(
    item: &Item,
    p: &Pipeline,
    rule: &mut Rule,
    applied: &Applied,
) -> Result<bool, Diagnostic> {
    match &item.transformation {
        Transformation::AddCondition {
            conditions,
            negated,
        } => {
            add_condition(rule, conditions, *negated)?;
            Ok(true)
        }
        Transformation::ChangeLogsource {
            category,
            product,
            service,
        } => {
            let l: &mut LogSource = &mut rule.logsource;
            for (slot, new) in [
                (&mut l.category, category),
                (&mut l.product, product),
                (&mut l.service, service),
            ] {
                if new.is_some() {
                    *slot = new.clone();
                }
            }
            Ok(true)
        }
        Transformation::Failure(message) if item.item_conditions.is_empty() => {
            Err(error(format!("pipeline `{}`: {message}", p.name)))
        }
        _ => each_item(item, p, rule, applied),
    }
}

/// Applies a detection-item transformation to every item it selects.
fn each_item(
    item: &Item,
    p: &Pipeline,
    rule: &mut Rule,
    applied: &Applied,
) -> Result<bool, Diagnostic> {
    let mut changed = false;
    for search in rule.detection.searches.values_mut() {
        let maps = match search {
            Search::Map(m) => vec![std::mem::take(m)],
            Search::Maps(ms) => std::mem::take(ms),
            Search::Keywords(_) => continue,
        };
        let mut out = Vec::new();
        for map in maps {
            out.extend(map_alternatives(item, p, map, applied, &mut changed)?);
        }
        *search = if out.len() == 1 {
            Search::Map(out.remove(0))
        } else {
            Search::Maps(out)
        };
    }
    Ok(changed)
}

type Map = Vec<(String, Values)>;

/// A map after the item's transformation: several when a field maps to several names.
fn map_alternatives(
    item: &Item,
    p: &Pipeline,
    map: Map,
    applied: &Applied,
    changed: &mut bool,
) -> Result<Vec<Map>, Diagnostic> {
    let mut alternatives: Vec<Map> = vec![Vec::new()];
    for (key, values) in map {
        let (field, mods) = key.split_once('|').unwrap_or((key.as_str(), ""));
        let suffix = if mods.is_empty() {
            String::new()
        } else {
            format!("|{mods}")
        };
        let selected = item_selected(item, field, &values, applied);
        let results: Vec<(String, Values)> = if !selected {
            vec![(key.clone(), values)]
        } else {
            *changed = true;
            match &item.transformation {
                Transformation::DropDetectionItem => Vec::new(),
                Transformation::Failure(message) => {
                    return Err(error(format!("pipeline `{}`: {message}", p.name)))
                }
                Transformation::ValuePlaceholders => vec![placeholders(&key, values, p)],
                t => renamed(t, field)
                    .into_iter()
                    .map(|f| (format!("{f}{suffix}"), values.clone()))
                    .collect(),
            }
        };
        if results.is_empty() {
            continue;
        }
        alternatives = alternatives
            .into_iter()
            .flat_map(|base| {
                results.iter().map(move |r| {
                    let mut m = base.clone();
                    m.push(r.clone());
                    m
                })
            })
            .collect();
    }
    Ok(alternatives)
}

/// The new names of a field (several: any of them).
fn renamed(t: &Transformation, field: &str) -> Vec<String> {
    match t {
        Transformation::FieldNameMapping(mapping) => mapping
            .iter()
            .find(|(from, _)| from == field)
            .map(|(_, to)| to.clone())
            .unwrap_or_else(|| vec![field.to_string()]),
        Transformation::FieldNamePrefixMapping(mapping) => vec![mapping
            .iter()
            .find_map(|(from, to)| {
                field
                    .strip_prefix(from.as_str())
                    .map(|rest| format!("{to}{rest}"))
            })
            .unwrap_or_else(|| field.to_string())],
        Transformation::FieldNamePrefix(prefix) => vec![format!("{prefix}{field}")],
        Transformation::FieldNameSuffix(suffix) => vec![format!("{field}{suffix}")],
        _ => vec![field.to_string()],
    }
}

/// Whether the item's detection-item and field-name conditions select this detection item; a
/// field name mapping also needs the field to be one it maps.
fn item_selected(item: &Item, field: &str, values: &Values, applied: &Applied) -> bool {
    if field.is_empty() {
        return false;
    }
    if let Transformation::FieldNameMapping(m) = &item.transformation {
        if !m.iter().any(|(from, _)| from == field) {
            return false;
        }
    }
    if let Transformation::FieldNamePrefixMapping(m) = &item.transformation {
        if !m.iter().any(|(from, _)| field.starts_with(from.as_str())) {
            return false;
        }
    }
    let item_ok = combine(
        item.item_conditions
            .iter()
            .map(|c| item_condition(c, field, values, applied)),
        item.item_any,
        item.item_not,
        true,
    );
    let field_ok = combine(
        item.field_conditions
            .iter()
            .map(|c| field_condition(c, field)),
        item.field_any,
        item.field_not,
        true,
    );
    item_ok && field_ok
}

fn item_condition(c: &ItemCondition, field: &str, values: &Values, applied: &Applied) -> bool {
    match c {
        ItemCondition::MatchString {
            pattern,
            all,
            negate,
        } => {
            let texts: Vec<&String> = values
                .items
                .iter()
                .filter_map(|v| match v {
                    Scalar::Str(s) => Some(s),
                    _ => None,
                })
                .collect();
            let hit = |s: &&String| pattern.is_match(s);
            let found = if *all {
                !texts.is_empty() && texts.iter().all(hit)
            } else {
                texts.iter().any(hit)
            };
            found != *negate
        }
        ItemCondition::IsNull => values.items.iter().all(|v| *v == Scalar::Null),
        ItemCondition::Field(f) => field_condition(f, field),
        ItemCondition::Applied(id) => applied.contains(id),
    }
}

fn field_condition(c: &FieldCondition, field: &str) -> bool {
    let listed = if c.regexes.is_empty() {
        c.fields.iter().any(|f| f == field)
    } else {
        c.regexes.iter().any(|r| r.is_match(field))
    };
    listed == c.include
}

/// `|expand` values with `%name%` replaced by the pipeline's `vars` (a list: any of them).
fn placeholders(key: &str, values: Values, p: &Pipeline) -> (String, Values) {
    if !key.split('|').any(|m| m == "expand") {
        return (key.to_string(), values);
    }
    let mut out = Vec::new();
    for v in values.items {
        let Scalar::Str(text) = &v else {
            out.push(v);
            continue;
        };
        let mut texts = vec![text.clone()];
        for (name, options) in &p.vars {
            let token = format!("%{name}%");
            texts = texts
                .into_iter()
                .flat_map(|t| {
                    if t.contains(&token) {
                        options.iter().map(|o| t.replace(&token, o)).collect()
                    } else {
                        vec![t]
                    }
                })
                .collect();
        }
        out.extend(texts.into_iter().map(Scalar::Str));
    }
    let still = out
        .iter()
        .any(|v| matches!(v, Scalar::Str(s) if !crate::sigma::string::placeholders(s).is_empty()));
    let key = if still {
        key.to_string()
    } else {
        key.split('|')
            .filter(|m| *m != "expand")
            .collect::<Vec<_>>()
            .join("|")
    };
    (
        key,
        Values {
            items: out,
            list: true,
        },
    )
}

/// `_pipeline_N and (condition)` for every condition, with `_pipeline_N` the given fields.
fn add_condition(
    rule: &mut Rule,
    conditions: &serde_yaml::Mapping,
    negated: bool,
) -> Result<(), Diagnostic> {
    let mut items = Vec::new();
    for (k, v) in conditions {
        let key = k
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{k:?}"));
        let values = crate::sigma::rule::values(v.clone())
            .map_err(|e| error(format!("add_condition `{key}`: {e}")))?;
        items.push((key, values));
    }
    let searches = &mut rule.detection.searches;
    let mut n = 1;
    while searches.contains_key(&format!("_pipeline_{n}")) {
        n += 1;
    }
    let name = format!("_pipeline_{n}");
    searches.insert(name.clone(), Search::Map(items));
    let added = if negated { format!("not {name}") } else { name };
    for c in &mut rule.detection.conditions {
        *c = format!("{added} and ({c})");
    }
    Ok(())
}
