//! Lowering `tstats` and `from datamodel`: a data model dataset becomes a filter on its constraint;
//! `Dataset.field` names become the event's own `field`, and BY columns keep the names as written.

use super::Lowerer;
use crate::diagnostic::{codes, Diagnostic};
use crate::ir::{self, BinOp, Expr, Func, Lit, Stage};
use crate::spl::ast::{TstatsCommand, Word};
use crate::spl::datamodel::Dataset;
use crate::spl::lex::In;
use crate::spl::search::search;

impl Lowerer<'_> {
    pub(super) fn tstats(&mut self, t: &TstatsCommand) -> Vec<Stage> {
        let mut stages = Vec::new();
        let mut prefix = None;
        if let Some(reference) = &t.datamodel {
            let Some(dataset) = self.dataset(reference) else {
                return stages;
            };
            stages.push(Stage::Filter(self.membership(&dataset, reference)));
            prefix = Some(format!("{}.", dataset.name));
        }
        let strip = |name: String| match &prefix {
            Some(p) => name
                .strip_prefix(p.as_str())
                .map_or(name.clone(), str::to_string),
            None => name,
        };
        if let Some(filter) = &t.filter {
            stages.push(Stage::Filter(self.search(filter).map_fields(&strip)));
        }
        let by: Vec<String> = t.by.iter().map(|w| strip(w.text.clone())).collect();
        if let Some(value) = option(t, "fillnull_value") {
            let fill = |f: &String| {
                let coalesce = Expr::Call(
                    Func::Coalesce,
                    vec![
                        Expr::Field(f.clone()),
                        Expr::Lit(Lit::Str(value.to_string())),
                    ],
                );
                (f.clone(), coalesce)
            };
            stages.push(Stage::Eval(by.iter().map(fill).collect()));
        }
        if let Some(span) = &t.span {
            if let Some(seconds) = self.span_seconds(span) {
                stages.push(Stage::Eval(vec![(
                    "_time".to_string(),
                    time_bucket(seconds),
                )]));
            }
        }
        let aggs = t
            .aggs
            .iter()
            .map(|a| {
                let agg = self.aggregation(a);
                ir::Agg {
                    arg: agg.arg.map(|e| e.map_fields(&strip)),
                    ..agg
                }
            })
            .collect();
        stages.push(Stage::Stats(ir::Stats {
            aggs,
            by: by.clone(),
        }));
        let renames: Vec<(String, String)> = by
            .iter()
            .zip(&t.by)
            .filter(|(s, w)| **s != w.text)
            .map(|(s, w)| (s.clone(), w.text.clone()))
            .collect();
        if !renames.is_empty() {
            stages.push(Stage::Rename(renames));
        }
        stages
    }

    /// `| from datamodel=Endpoint.Processes`: the dataset's events, with its fields also as `Processes.field`.
    pub(super) fn datamodel_events(&mut self, reference: &Word) -> Vec<Stage> {
        let Some(dataset) = self.dataset(reference) else {
            return Vec::new();
        };
        let aliases = dataset
            .fields
            .iter()
            .map(|f| (format!("{}.{f}", dataset.name), Expr::Field(f.clone())))
            .collect();
        vec![
            Stage::Filter(self.membership(&dataset, reference)),
            Stage::Eval(aliases),
        ]
    }

    fn dataset(&mut self, reference: &Word) -> Option<Dataset> {
        let found = self.datamodels.dataset(&reference.text).cloned();
        if found.is_none() {
            self.errors.push(
                Diagnostic::error(
                    codes::SPL_SEMANTIC,
                    format!("unknown data model `{}`", reference.text),
                )
                .at(reference.span)
                .help(format!(
                    "known: {}; add more with --datamodels PATH",
                    self.datamodels.names().join(", ")
                )),
            );
        }
        found
    }

    /// `(tag=* AND constraint) OR (NOT tag=* AND fallback)`.
    fn membership(&mut self, dataset: &Dataset, reference: &Word) -> Expr {
        let constraint = self.constraint(&dataset.constraint, reference);
        let tagged = Expr::Match {
            field: "tag".to_string(),
            pattern: ir::Pattern::Exists,
        };
        let with_tags = Expr::Binary(BinOp::And, Box::new(tagged.clone()), Box::new(constraint));
        match &dataset.fallback {
            None => with_tags,
            Some(fallback) => {
                let fallback = self.constraint(fallback, reference);
                let untagged = Expr::Binary(
                    BinOp::And,
                    Box::new(Expr::Not(Box::new(tagged))),
                    Box::new(fallback),
                );
                Expr::Binary(BinOp::Or, Box::new(with_tags), Box::new(untagged))
            }
        }
    }

    fn constraint(&mut self, text: &str, reference: &Word) -> Expr {
        match search(In::new(text)) {
            Ok((_, parsed)) => self.search(&parsed),
            Err(_) => self.error(
                Diagnostic::error(
                    codes::SPL_SEMANTIC,
                    format!(
                        "the data model `{}` has an invalid constraint: {text}",
                        reference.text
                    ),
                )
                .at(reference.span),
            ),
        }
    }

    /// `30s`, `5m`, `1h`, `1d`, `1w` (also `sec`, `min`, `hr`, `day` spellings) → seconds.
    fn span_seconds(&mut self, span: &Word) -> Option<f64> {
        let seconds = parse_span(&span.text);
        if seconds.is_none() {
            self.errors.push(
                Diagnostic::error(
                    codes::SPL_UNSUPPORTED,
                    format!("not supported yet: the span `{}`", span.text),
                )
                .at(span.span)
                .help("use a span in seconds, minutes, hours, days or weeks, such as 5m or 1h"),
            );
        }
        seconds
    }
}

fn option<'a>(t: &'a TstatsCommand, name: &str) -> Option<&'a str> {
    t.options
        .iter()
        .find(|(k, _)| k.text == name)
        .map(|(_, v)| v.text.as_str())
}

/// `floor(_time / seconds) * seconds`: the start of the event's time bucket.
fn time_bucket(seconds: f64) -> Expr {
    let div = Expr::Binary(
        BinOp::Div,
        Box::new(Expr::Field("_time".to_string())),
        Box::new(Expr::Lit(Lit::Num(seconds))),
    );
    let floor = Expr::Call(Func::Floor, vec![div]);
    Expr::Binary(
        BinOp::Mul,
        Box::new(floor),
        Box::new(Expr::Lit(Lit::Num(seconds))),
    )
}

/// A time span in seconds: a count and a unit (`s`, `m`, `h`, `d`, `w` and their long spellings).
pub fn parse_span(text: &str) -> Option<f64> {
    let text = text.trim().trim_matches('"');
    let digits = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let count: f64 = if digits == 0 {
        1.0
    } else {
        text[..digits].parse().ok()?
    };
    let unit = match text[digits..].to_ascii_lowercase().as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        _ => return None,
    };
    (count > 0.0).then_some(count * unit)
}
