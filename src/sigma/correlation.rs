//! Sigma correlation rules (correlation specification v2): the `correlation:` section read from
//! YAML and lowered to IR: tag each event with the rules it matches (`Eval`), keep tagged events
//! (`Filter`), resolve group-by fields, then `Correlate`.

use crate::diagnostic::{codes, Diagnostic};
use crate::ir::{Correlate, CorrelationKind, Expr, Func, Lit, NumOp, Pipeline, Source, Stage};
use crate::sigma::aliases;
use crate::sigma::rule::{LogSource, Meta};
use crate::sigma::windows;
use serde::Deserialize;
use serde_yaml::Value as Yaml;

/// The field holding the names of the rules an event matched.
pub const RULES_FIELD: &str = "sigma_rules";

/// The `correlation:` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Correlation {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub rules: Vec<String>,
    #[serde(rename = "group-by", default)]
    pub group_by: Vec<String>,
    pub timespan: Option<String>,
    #[serde(default)]
    pub condition: Option<serde_yaml::Mapping>,
    pub field: Option<String>,
    pub aliases: Option<Yaml>,
    #[serde(default)]
    pub generate: bool,
}

/// What a correlation names in `rules`: a detection rule, or another correlation (chained).
pub enum Input<'a> {
    /// A detection rule: its filter, and the logsource its fields are looked up by.
    Rule {
        filter: &'a Expr,
        logsource: &'a LogSource,
    },
    /// A correlation: its pipeline, whose result rows become the events of this one.
    Correlation(Pipeline),
}

fn error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::SIGMA_DETECTION, message)
}

/// Reads the `correlation:` section of a document.
pub fn read(meta: &Meta) -> Result<Correlation, Diagnostic> {
    let section = meta.rest.get("correlation").cloned().unwrap_or(Yaml::Null);
    serde_yaml::from_value(section).map_err(|e| error(format!("invalid `correlation`: {e}")))
}

/// `5m` → 300 seconds (`s`, `m`, `h`, `d`, `w`).
pub fn timespan(text: &str) -> Result<f64, Diagnostic> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().map_err(|_| {
        error(format!(
            "invalid timespan `{text}`: expected a number and a unit such as 5m"
        ))
    })?;
    let unit = match unit {
        "s" | "" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        other => {
            return Err(error(format!(
                "invalid timespan unit `{other}` in `{text}` (use s, m, h, d, w)"
            )))
        }
    };
    Ok(n * unit)
}

/// A correlation condition's comparisons and, in the older form, its `field`.
type CondParts = (Vec<(NumOp, f64)>, Option<String>);

/// The condition's comparisons and, in the older form, its `field`.
fn condition(c: &Correlation) -> Result<CondParts, Diagnostic> {
    let mut ops = Vec::new();
    let mut field = None;
    for (k, v) in c.condition.iter().flatten() {
        let key = k.as_str().unwrap_or_default();
        if key == "field" {
            field = v.as_str().map(str::to_string);
            continue;
        }
        if key == "percentile" {
            continue;
        }
        let op = match key {
            "gt" => NumOp::Gt,
            "gte" => NumOp::Ge,
            "lt" => NumOp::Lt,
            "lte" => NumOp::Le,
            "eq" => NumOp::Eq,
            "neq" => NumOp::Ne,
            other => {
                return Err(error(format!(
                    "unknown correlation condition `{other}` (gt, gte, lt, lte, eq, neq)"
                )))
            }
        };
        let n = v
            .as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| error(format!("correlation condition `{key}` needs a number")))?;
        ops.push((op, n));
    }
    Ok((ops, field))
}

/// Lowers a correlation over what it names (`(reference, input)` in `rules` order).
pub fn lower(c: &Correlation, chosen: Vec<(String, Input)>) -> Result<Pipeline, Diagnostic> {
    if chosen.is_empty() {
        return Err(error("a correlation needs `rules`"));
    }
    let (mut ops, cond_field) = condition(c)?;
    let field = c.field.clone().or(cond_field);
    let need_field = || {
        field
            .clone()
            .ok_or_else(|| error(format!("`{}` needs a `field`", c.kind)))
    };
    let names: Vec<String> = chosen.iter().map(|(n, _)| n.clone()).collect();
    let kind = match c.kind.as_str() {
        "event_count" => CorrelationKind::EventCount,
        "value_count" => CorrelationKind::ValueCount(need_field()?),
        "temporal" => CorrelationKind::Temporal(names.clone()),
        "temporal_ordered" => CorrelationKind::TemporalOrdered(names.clone()),
        "value_sum" => CorrelationKind::ValueSum(need_field()?),
        "value_avg" => CorrelationKind::ValueAvg(need_field()?),
        "value_percentile" => CorrelationKind::ValuePercentile {
            field: need_field()?,
            percentile: percentile(c)?,
        },
        other => return Err(error(format!("unknown correlation type `{other}`"))),
    };
    if ops.is_empty() {
        match kind {
            CorrelationKind::Temporal(_) | CorrelationKind::TemporalOrdered(_) => {
                ops.push((NumOp::Ge, names.len() as f64))
            }
            _ => return Err(error(format!("`{}` needs a `condition`", c.kind))),
        }
    }
    let span = c
        .timespan
        .as_deref()
        .ok_or_else(|| error("a correlation needs a `timespan`"))?;
    let aliases = aliases::read(c.aliases.as_ref(), &names)?;
    let mut stages = input_stages(&chosen);
    let logsource = chosen.iter().find_map(|(_, i)| match i {
        Input::Rule { logsource, .. } => Some(*logsource),
        Input::Correlation(_) => None,
    });
    let mut assigned: Vec<(String, Expr)> = c
        .group_by
        .iter()
        .chain(field.iter())
        .filter(|f| !aliases.iter().any(|a| &a.name == *f))
        .filter_map(|f| resolve(f, logsource?))
        .collect();
    assigned.extend(aliases::assignments(&aliases, &chosen));
    if !assigned.is_empty() {
        stages.push(Stage::Eval(assigned));
    }
    stages.push(Stage::Correlate(Correlate {
        kind,
        group_by: c.group_by.clone(),
        timespan: timespan(span)?,
        condition: ops,
        rules_field: RULES_FIELD.to_string(),
    }));
    Ok(Pipeline { stages })
}

/// Events tagged with the rules they match (kept only when tagged), then the result rows of each
/// named correlation, tagged with its name and timed at their first event.
fn input_stages(chosen: &[(String, Input)]) -> Vec<Stage> {
    let rules: Vec<(&String, &Expr)> = chosen
        .iter()
        .filter_map(|(name, i)| match i {
            Input::Rule { filter, .. } => Some((name, *filter)),
            Input::Correlation(_) => None,
        })
        .collect();
    let mut stages = if rules.is_empty() {
        vec![Stage::Filter(Expr::Lit(Lit::Bool(false)))]
    } else {
        vec![
            tag_stage(&rules),
            Stage::Filter(Expr::Call(
                Func::IsNotNull,
                vec![Expr::Field(RULES_FIELD.to_string())],
            )),
        ]
    };
    for (name, input) in chosen {
        if let Input::Correlation(inner) = input {
            let mut inner = inner.clone();
            inner.stages.push(Stage::Eval(vec![
                (RULES_FIELD.to_string(), Expr::Lit(Lit::Str(name.clone()))),
                ("_time".to_string(), Expr::Field("first_seen".to_string())),
            ]));
            stages.push(Stage::Append(Source::Subsearch(Box::new(inner))));
        }
    }
    stages
}

fn percentile(c: &Correlation) -> Result<f64, Diagnostic> {
    let found = c.condition.iter().flatten().find_map(|(k, v)| {
        (k.as_str() == Some("percentile"))
            .then(|| v.as_f64())
            .flatten()
    });
    found.ok_or_else(|| error("`value_percentile` needs a `percentile` number in the condition"))
}

/// `sigma_rules := mvappend(if(rule1, "rule1", null()), ...)`.
fn tag_stage(rules: &[(&String, &Expr)]) -> Stage {
    let tags = rules
        .iter()
        .map(|(name, filter)| {
            Expr::Call(
                Func::If,
                vec![
                    (*filter).clone(),
                    Expr::Lit(Lit::Str((*name).clone())),
                    Expr::Lit(Lit::Null),
                ],
            )
        })
        .collect();
    Stage::Eval(vec![(
        RULES_FIELD.to_string(),
        Expr::Call(Func::MvAppend, tags),
    )])
}

/// `User := coalesce(User, Event.EventData.User, ...)` for Windows events; `None` when the field
/// has no other place.
pub fn resolve(field: &str, logsource: &LogSource) -> Option<(String, Expr)> {
    let candidates = windows::candidates(field, logsource);
    let plain: Vec<Expr> = candidates
        .into_iter()
        .filter(|c| !c.contains('*'))
        .map(Expr::Field)
        .collect();
    (plain.len() > 1).then(|| (field.to_string(), Expr::Call(Func::Coalesce, plain)))
}
