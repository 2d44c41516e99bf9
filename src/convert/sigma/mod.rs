//! IR (from SPL) → Sigma YAML. Filters before any aggregation become the detection;
//! `stats count|dc(x) ... by g | where count > N` becomes an `event_count` / `value_count`
//! correlation. Everything Sigma cannot say (computed fields, per-row severity, table, sort, ...)
//! is dropped with a note naming the stage, and the notes head the YAML as a comment block.

mod detection;

use super::{dropped, unsupported, Converted};
use crate::diagnostic::Diagnostic;
use crate::ir::{AggFunc, BinOp, Expr, Lit, Pipeline, Stage, Stats};
use detection::Detection;
use serde_yaml::{Mapping, Value as Yaml};

/// What to call the converted rule.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub title: String,
    /// Correlation time window (Sigma requires one; SPL's `stats` spans the search's range).
    pub timespan: String,
}

/// Converts a pipeline to one Sigma rule, or a rule and an `event_count`/`value_count`
/// correlation over it.
pub fn to_sigma(p: &Pipeline, names: &Names) -> Result<Converted, Vec<Diagnostic>> {
    let mut notes = Vec::new();
    let mut filters = Vec::new();
    let mut computed = Vec::new();
    let mut stages = p.stages.iter().enumerate().peekable();
    while let Some((_, stage)) = stages.next_if(|(_, s)| !matches!(s, Stage::Stats(_))) {
        match stage {
            Stage::Filter(e) => filters.push(e.clone()),
            Stage::Eval(assigns) => {
                computed.extend(assigns.iter().map(|(k, _)| k.clone()));
                notes.push(dropped("Sigma", describe(stage)));
            }
            other => notes.push(dropped("Sigma", describe(other))),
        }
    }
    let mut correlation = None;
    if let Some((_, Stage::Stats(stats))) = stages.next() {
        let condition = match stages.next_if(|(_, s)| matches!(s, Stage::Filter(_))) {
            Some((_, Stage::Filter(e))) => Some(e),
            _ => None,
        };
        correlation = Some(correlate(stats, condition, &computed, &mut notes)?);
    }
    for (_, stage) in stages {
        notes.push(dropped("Sigma", describe(stage)));
    }
    let mut detection = Detection::default();
    let mut conditions = Vec::new();
    for f in &filters {
        for part in f.operands(BinOp::And) {
            match detection.condition(part) {
                Ok(c) => conditions.push(c),
                Err(what) => notes.push(dropped("Sigma", format!("the test {what}"))),
            }
        }
    }
    if conditions.is_empty() && correlation.is_none() {
        return Err(vec![unsupported("Sigma", "a search with no detection")]);
    }
    let rule = rule_yaml(names, detection, &conditions, correlation.is_some());
    let mut text = header(&notes);
    text.push_str(&yaml(&rule));
    if let Some(c) = correlation {
        text.push_str("---\n");
        text.push_str(&yaml(&correlation_yaml(names, c)));
    }
    Ok(Converted { text, notes })
}

/// A stage named as the notes name it: `eval Severity`, `table`, `sort`.
fn describe(stage: &Stage) -> String {
    let mut printer = crate::convert::spl::Printer::default();
    let text = printer.stage_text(stage);
    let short: String = text.chars().take(70).collect();
    let reason = match stage {
        Stage::Eval(_) => "Sigma has no computed fields",
        Stage::Table(_) | Stage::Fields { .. } | Stage::Sort(_) | Stage::Rename(_) => {
            "Sigma rules do not shape their output"
        }
        _ => "Sigma has no such stage",
    };
    let ellipsis = if text.chars().count() > 70 { "..." } else { "" };
    format!("`{short}{ellipsis}` ({reason})")
}

/// The correlation read from `stats ... by g | where <agg> > N`.
struct Correlation {
    kind: &'static str,
    field: Option<String>,
    group_by: Vec<String>,
    condition: Mapping,
}

fn correlate(
    stats: &Stats,
    condition: Option<&Expr>,
    computed: &[String],
    notes: &mut Vec<Diagnostic>,
) -> Result<Correlation, Vec<Diagnostic>> {
    let Some(Expr::Binary(op, l, r)) = condition else {
        return Err(vec![unsupported(
            "Sigma",
            "`stats` without a `where <count> > N` after it",
        )]);
    };
    let (Expr::Field(name), Expr::Lit(Lit::Num(n))) = (&**l, &**r) else {
        return Err(vec![unsupported(
            "Sigma",
            format!(
                "the condition `{}`",
                condition.map_or(String::new(), |c| c.to_string())
            ),
        )]);
    };
    let Some(agg) = stats.aggs.iter().find(|a| &a.name == name) else {
        return Err(vec![unsupported(
            "Sigma",
            format!("a condition on `{name}`, which is no aggregate"),
        )]);
    };
    let (kind, field) = match (agg.func, &agg.arg) {
        (AggFunc::Count, None) => ("event_count", None),
        (AggFunc::DistinctCount, Some(Expr::Field(f))) => ("value_count", Some(f.clone())),
        (AggFunc::Sum, Some(Expr::Field(f))) => ("value_sum", Some(f.clone())),
        (AggFunc::Avg, Some(Expr::Field(f))) => ("value_avg", Some(f.clone())),
        _ => {
            return Err(vec![unsupported(
                "Sigma",
                format!("a condition on `{name}`"),
            )])
        }
    };
    for other in stats.aggs.iter().filter(|a| &a.name != name) {
        notes.push(dropped(
            "Sigma",
            format!(
                "the output field `{}` of `stats` (a correlation yields only its own aggregate)",
                other.name
            ),
        ));
    }
    let mut group_by = Vec::new();
    for g in &stats.by {
        if computed.contains(g) {
            notes.push(dropped(
                "Sigma",
                format!("`{g}` from the group-by (computed by a dropped eval)"),
            ));
        } else {
            group_by.push(g.clone());
        }
    }
    let op = match op {
        BinOp::Gt => "gt",
        BinOp::Ge => "gte",
        BinOp::Lt => "lt",
        BinOp::Le => "lte",
        BinOp::Eq => "eq",
        _ => {
            return Err(vec![unsupported(
                "Sigma",
                format!(
                    "the comparison in `{}`",
                    condition.map_or(String::new(), |c| c.to_string())
                ),
            )])
        }
    };
    let mut condition = Mapping::new();
    condition.insert(op.into(), detection_number(*n));
    if let Some(f) = &field {
        condition.insert("field".into(), f.clone().into());
    }
    Ok(Correlation {
        kind,
        field,
        group_by,
        condition,
    })
}

fn detection_number(n: f64) -> Yaml {
    if n.fract() == 0.0 {
        Yaml::Number((n as i64).into())
    } else {
        Yaml::Number(n.into())
    }
}

fn header(notes: &[Diagnostic]) -> String {
    let mut out = String::from("# Converted from SPL by spelunk.\n");
    if notes.is_empty() {
        out.push_str("# Nothing was dropped.\n");
    } else {
        out.push_str("# What changed (Sigma cannot express these):\n");
        for n in notes {
            out.push_str(&format!("#   - {}\n", n.message.replace('\n', " ")));
        }
    }
    out
}

fn yaml(m: &Mapping) -> String {
    serde_yaml::to_string(m).unwrap_or_default()
}

fn slug(title: &str) -> String {
    let s: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    s.trim_matches('_').to_string()
}

/// A stable UUID-shaped id from the title (FNV-1a), so reruns give the same id.
fn uuid(seed: &str) -> String {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in seed.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    let hex = format!("{h:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn rule_yaml(names: &Names, d: Detection, conditions: &[String], correlated: bool) -> Mapping {
    let mut m = Mapping::new();
    m.insert("title".into(), names.title.clone().into());
    m.insert("id".into(), uuid(&names.title).into());
    m.insert("name".into(), slug(&names.title).into());
    m.insert("status".into(), "experimental".into());
    m.insert(
        "description".into(),
        "Converted from SPL by spelunk; see the comments above for what changed.".into(),
    );
    let mut logsource = Mapping::new();
    logsource.insert("product".into(), "splunk".into());
    m.insert("logsource".into(), Yaml::Mapping(logsource));
    let mut detection = Mapping::new();
    for (name, sel) in d.selections {
        detection.insert(name.into(), sel);
    }
    let condition = match conditions {
        [] => "all of them".to_string(),
        [one] => one.clone(),
        many => many
            .iter()
            .map(|c| {
                if c.contains(' ') {
                    format!("({c})")
                } else {
                    c.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" and "),
    };
    detection.insert("condition".into(), condition.into());
    m.insert("detection".into(), Yaml::Mapping(detection));
    if !correlated {
        m.insert("level".into(), "medium".into());
    }
    m
}

fn correlation_yaml(names: &Names, c: Correlation) -> Mapping {
    let mut m = Mapping::new();
    let title = format!("{} (correlation)", names.title);
    m.insert("title".into(), title.clone().into());
    m.insert("id".into(), uuid(&title).into());
    m.insert("status".into(), "experimental".into());
    let mut corr = Mapping::new();
    corr.insert("type".into(), c.kind.into());
    corr.insert(
        "rules".into(),
        Yaml::Sequence(vec![slug(&names.title).into()]),
    );
    if !c.group_by.is_empty() {
        corr.insert(
            "group-by".into(),
            Yaml::Sequence(c.group_by.into_iter().map(Yaml::from).collect()),
        );
    }
    corr.insert("timespan".into(), names.timespan.clone().into());
    corr.insert("condition".into(), Yaml::Mapping(c.condition));
    let _ = c.field;
    m.insert("correlation".into(), Yaml::Mapping(corr));
    m.insert("level".into(), "medium".into());
    m
}
