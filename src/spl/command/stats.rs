//! `stats`: aggregations with `as` names and a `by` clause.

use crate::spl::ast::{AggArg, Aggregation, CommandKind, StatsCommand, Word};
use crate::spl::command::field_list;
use crate::spl::expr::expr;
use crate::spl::lex::list_separator;
use crate::spl::lex::{describe, fail, field_name, keyword_ci, word, ws0, ws1, In, PResult};
use nom::{Input, Parser};

/// stats_command = aggregation_list [ "by" ws0 field_list ]
pub fn stats_command(i: In) -> PResult<CommandKind> {
    let (mut i, aggs) = aggregation_list(i, "stats")?;
    let mut by = Vec::new();
    if let Ok((rest, _)) = (keyword_ci("by"), ws0).parse(i) {
        let (rest, fields) = field_list(rest).or_else(|_| {
            fail(
                rest,
                format!("`by` expects a field name, found {}", describe(rest)),
            )
        })?;
        by = fields;
        i = rest;
    }
    Ok((i, CommandKind::Stats(StatsCommand { aggs, by })))
}

/// aggregation_list = ws0 aggregation { ws0 [","] ws0 aggregation }   (up to `by` or `over`)
pub(super) fn aggregation_list<'a>(i: In<'a>, command: &str) -> PResult<'a, Vec<Aggregation>> {
    let (mut i, _) = ws0(i)?;
    let mut aggs = Vec::new();
    loop {
        if keyword_ci("by").parse(i).is_ok() || keyword_ci("over").parse(i).is_ok() {
            break;
        }
        let (rest, agg) = aggregation(i)?;
        aggs.push(agg);
        i = list_separator(rest)?.0;
        if i.fragment().is_empty() {
            break;
        }
    }
    if aggs.is_empty() {
        return fail(
            i,
            format!("`{command}` expects at least one function, such as `count`"),
        );
    }
    Ok((i, aggs))
}

/// aggregation = name [ "(" ( "eval(" expr ")" | field ) ")" ] [ ws1 "as" ws1 field ]
pub fn aggregation(i: In) -> PResult<Aggregation> {
    let len = i
        .fragment()
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(i.fragment().len());
    if len == 0 {
        return fail(
            i,
            format!(
                "expected a stats function such as `count`, found {}",
                describe(i)
            ),
        );
    }
    let (rest, name) = i.take_split(len);
    let func = word(name, false, name.fragment().to_string());
    let (rest, (arg, call_text)) = if rest.fragment().starts_with('(') {
        aggregation_arg(rest, &func.text)?
    } else {
        (rest, (None, func.text.clone()))
    };
    let mut alias = None;
    let mut rest = rest;
    if let Ok((after, _)) = (ws1, keyword_ci("as"), ws1).parse(rest) {
        let (after, name) = field_name(after).or_else(|_| {
            fail(
                after,
                format!("`as` expects a field name, found {}", describe(after)),
            )
        })?;
        let (after, name) = alias_suffix(after, name);
        alias = Some(name);
        rest = after;
    }
    Ok((
        rest,
        Aggregation {
            func,
            arg,
            alias,
            call_text,
        },
    ))
}

/// `as aceFlags(inheritance)`: Splunk keeps a parenthesised suffix as part of the new name.
fn alias_suffix(rest: In, mut name: Word) -> (In, Word) {
    let text = rest.fragment();
    if name.quoted || !text.starts_with('(') {
        return (rest, name);
    }
    match text.find(')') {
        Some(end) if !text[1..end].contains(['(', ' ', ',']) => {
            name.text.push_str(&text[..=end]);
            name.span.end += end + 1;
            (rest.take_from(end + 1), name)
        }
        _ => (rest, name),
    }
}

/// The argument in parentheses, and the call text that names the column.
fn aggregation_arg<'a>(i: In<'a>, func: &str) -> PResult<'a, (Option<AggArg>, String)> {
    let (inner, _) = ws0(i.take_from(1))?;
    let (rest, arg) = if inner.fragment().starts_with("eval(") {
        let (r, e) = expr(inner.take_from(4))?;
        (r, AggArg::Eval(e))
    } else {
        let (r, f) = field_name(inner).or_else(|_| {
            fail(
                inner,
                format!("`{func}(` expects a field name, found {}", describe(inner)),
            )
        })?;
        (r, AggArg::Field(f))
    };
    let (rest, _) = ws0(rest)?;
    if !rest.fragment().starts_with(')') {
        return fail(
            rest,
            format!("expected `)` to close `{func}(`, found {}", describe(rest)),
        );
    }
    let rest = rest.take_from(1);
    let inside = &i.fragment()[1..rest.location_offset() - i.location_offset() - 1];
    Ok((rest, (Some(arg), format!("{func}({})", inside.trim()))))
}
