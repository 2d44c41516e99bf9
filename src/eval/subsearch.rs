//! Subsearches: each `[ ... ]` runs over the same events before the search that holds it, and
//! its results take its place — as `(f1=v1 AND f2=v2) OR ...` in a search, or as rows for `join`
//! and `append` ("About subsearches", Search Manual).

use crate::diagnostic::Diagnostic;
use crate::eval::compile::{compile_with, Options};
use crate::eval::event::Record;
use crate::ir::{BinOp, Expr, Join, Lit, Pattern, Pipeline, Row, Source, Stage};

/// Splunk's default limit on a subsearch's results (`maxout`, limits.conf `[subsearch]`).
pub const SUBSEARCH_MAXOUT: usize = 10_000;
/// Splunk's default limit on the rows a `join` subsearch returns (`subsearch_maxout`, limits.conf `[join]`).
pub const JOIN_MAXOUT: usize = 50_000;

/// Runs every subsearch of `pipeline` over `events`; the result has their rows in their place.
pub fn resolve(
    pipeline: &Pipeline,
    options: &Options,
    events: &[Record],
) -> Result<Pipeline, Vec<Diagnostic>> {
    let stages = pipeline
        .stages
        .iter()
        .map(|s| resolve_stage(s, options, events))
        .collect::<Result<_, _>>()?;
    Ok(Pipeline { stages })
}

fn resolve_stage(
    stage: &Stage,
    options: &Options,
    events: &[Record],
) -> Result<Stage, Vec<Diagnostic>> {
    Ok(match stage {
        Stage::Filter(e) if e.has_subsearch() => Stage::Filter(resolve_expr(e, options, events)?),
        Stage::Join(j) => Stage::Join(Join {
            right: resolve_source(&j.right, options, events, JOIN_MAXOUT)?,
            ..j.clone()
        }),
        Stage::Append(s) => Stage::Append(resolve_source(s, options, events, SUBSEARCH_MAXOUT)?),
        Stage::AppendPipe(p) => Stage::AppendPipe(Box::new(resolve(p, options, events)?)),
        other => other.clone(),
    })
}

fn resolve_source(
    source: &Source,
    options: &Options,
    events: &[Record],
    limit: usize,
) -> Result<Source, Vec<Diagnostic>> {
    match source {
        Source::Subsearch(p) => Ok(Source::Rows(run(p, options, events, limit)?)),
        Source::Rows(rows) => Ok(Source::Rows(rows.clone())),
    }
}

fn resolve_expr(e: &Expr, options: &Options, events: &[Record]) -> Result<Expr, Vec<Diagnostic>> {
    let resolve = |inner: &Expr| resolve_expr(inner, options, events).map(Box::new);
    Ok(match e {
        Expr::Subsearch(p) => {
            let rows = run(p, options, events, SUBSEARCH_MAXOUT)?;
            match search_field(&rows) {
                Some(texts) => {
                    let exprs = texts
                        .iter()
                        .map(|t| crate::spl::lower::search_text(t))
                        .collect::<Result<Vec<_>, _>>()?;
                    fold(exprs, BinOp::Or)
                }
                None => format(&rows),
            }
        }
        Expr::Not(inner) => Expr::Not(resolve(inner)?),
        Expr::Neg(inner) => Expr::Neg(resolve(inner)?),
        Expr::Binary(op, l, r) => Expr::Binary(*op, resolve(l)?, resolve(r)?),
        other => other.clone(),
    })
}

/// Runs one subsearch (resolving the subsearches inside it first) and keeps at most `limit` rows.
fn run(
    p: &Pipeline,
    options: &Options,
    events: &[Record],
    limit: usize,
) -> Result<Vec<Row>, Vec<Diagnostic>> {
    let resolved = resolve(p, options, events)?;
    let plan = compile_with(&resolved, options)?;
    let results = plan.run(events.iter().cloned());
    let rows = results
        .rows
        .iter()
        .take(limit)
        .map(|record| {
            results
                .columns
                .iter()
                .filter(|c| *c != "_raw")
                .filter_map(|c| {
                    record
                        .get(c)
                        .map(|v| (c.clone(), v.values().iter().map(|x| x.to_text()).collect()))
                })
                .collect()
        })
        .collect();
    Ok(rows)
}

/// The `search` (or `query`) field of each row, when the subsearch ended in `format`/`return`:
/// that text goes into the outer search as written.
fn search_field(rows: &[Row]) -> Option<Vec<String>> {
    let texts: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            row.iter()
                .find(|(n, _)| n == "search" || n == "query")
                .map(|(_, v)| v.join(" "))
        })
        .collect();
    (!texts.is_empty() && texts.len() == rows.len()).then_some(texts)
}

/// The search a subsearch's rows stand for: `(f1="v1" AND f2="v2") OR (...)`; fields starting
/// with `_` are left out, and no rows match nothing.
pub fn format(rows: &[Row]) -> Expr {
    let row_exprs: Vec<Expr> = rows
        .iter()
        .filter_map(|row| {
            let terms: Vec<Expr> = row
                .iter()
                .filter(|(name, _)| !name.starts_with('_'))
                .map(|(name, values)| {
                    let matches = values.iter().map(|v| Expr::Match {
                        field: name.clone(),
                        pattern: Pattern::Glob {
                            glob: v.clone(),
                            case_sensitive: false,
                        },
                    });
                    fold(matches.collect(), BinOp::Or)
                })
                .collect();
            (!terms.is_empty()).then(|| fold(terms, BinOp::And))
        })
        .collect();
    if row_exprs.is_empty() {
        return Expr::Lit(Lit::Bool(false));
    }
    fold(row_exprs, BinOp::Or)
}

fn fold(items: Vec<Expr>, op: BinOp) -> Expr {
    let mut iter = items.into_iter();
    let first = iter
        .next()
        .unwrap_or(Expr::Lit(Lit::Bool(op == BinOp::And)));
    iter.fold(first, |acc, e| Expr::Binary(op, Box::new(acc), Box::new(e)))
}
