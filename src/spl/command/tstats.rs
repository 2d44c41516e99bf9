//! `tstats`, `from datamodel=...` and `datamodel`: searches over CIM data model datasets.

use crate::spl::ast::{CommandKind, TstatsCommand, Word};
use crate::spl::command::stats::aggregation;
use crate::spl::lex::{
    describe, fail, field_name, keyword_ci, list_separator, option_value, quoted, word, ws0, ws1,
    In, PResult,
};
use crate::spl::search::search;
use nom::{Input, Parser};

/// Options tstats (and mstats) accept, before or among the functions; those without meaning offline (summaries, chunking) are accepted and ignored.
const TSTATS_OPTIONS: &[&str] = &[
    "prestats",
    "local",
    "append",
    "summariesonly",
    "allow_old_summaries",
    "chunk_size",
    "fillnull_value",
    "include_reduced_buckets",
];

/// tstats_command = ws0 { tstats_option ws0 } aggregation { list_separator aggregation }
///                  [ "from" ws1 datamodel_ref ] [ "where" ws1 tstats_where ] [ ("by"|"groupby") ws0 tstats_by ]
pub fn tstats_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut options = Vec::new();
    let mut aggs = Vec::new();
    while !i.fragment().is_empty() && !at_clause(i) {
        if let Some(name) = TSTATS_OPTIONS.iter().find(|o| option_value(o)(i).is_ok()) {
            let (rest, value) = option_value(name)(i)?;
            let name_word = word(i.take(name.len()), false, (*name).to_string());
            options.push((name_word, value));
            i = ws0(rest)?.0;
            continue;
        }
        let (rest, agg) = aggregation(i)?;
        aggs.push(agg);
        i = list_separator(rest)?.0;
    }
    if aggs.is_empty() {
        return fail(i, "`tstats` expects at least one function, such as `count`");
    }
    let mut t = TstatsCommand {
        options,
        aggs,
        datamodel: None,
        filter: None,
        by: Vec::new(),
        span: None,
    };
    if let Ok((rest, _)) = (keyword_ci("from"), ws1).parse(i) {
        let (rest, dm) = datamodel_ref(rest)?;
        t.datamodel = Some(dm);
        i = ws0(rest)?.0;
    }
    if let Ok((rest, _)) = (keyword_ci("where"), ws1).parse(i) {
        let len = clause_end(rest.fragment());
        let (after, clause) = rest.take_split(len);
        let (_, filter) = search(clause)?;
        t.filter = Some(filter);
        i = ws0(after)?.0;
    }
    if let Ok((rest, _)) = (keyword_ci("by").or(keyword_ci("groupby")), ws0).parse(i) {
        let (rest, (by, span)) = tstats_by(rest)?;
        t.by = by;
        t.span = span;
        i = rest;
    }
    Ok((i, CommandKind::Tstats(t)))
}

/// Whether a clause keyword (`from`, `where`, `by`, `groupby`) starts here.
fn at_clause(i: In) -> bool {
    ["from", "where", "by", "groupby"]
        .iter()
        .any(|k| keyword_ci(k).parse(i).is_ok())
}

/// The length of a `where` clause: up to a top-level `by`/`groupby` word, outside quotes and parentheses.
fn clause_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut quoted, mut i) = (0i32, false, 0);
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            c if !quoted && depth <= 0 && c.is_ascii_whitespace() => {
                let rest = text[i..].trim_start();
                let word_end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
                let word = &rest[..word_end];
                if word.eq_ignore_ascii_case("by") || word.eq_ignore_ascii_case("groupby") {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// tstats_by = ( "span=" value | field_name ) { list_separator ( "span=" value | field_name ) }
fn tstats_by(mut i: In) -> PResult<(Vec<Word>, Option<Word>)> {
    let (mut by, mut span) = (Vec::new(), None);
    while !i.fragment().is_empty() {
        if let Ok((rest, value)) = option_value("span")(i) {
            span = Some(value);
            i = rest;
        } else {
            let (rest, field) = field_name(i).or_else(|_| {
                fail(
                    i,
                    format!("`by` expects a field name, found {}", describe(i)),
                )
            })?;
            by.push(field);
            i = rest;
        }
        i = list_separator(i)?.0;
    }
    if by.is_empty() {
        return fail(i, "`by` expects a field name, found end of input");
    }
    Ok((i, (by, span)))
}

/// datamodel_ref = "datamodel" ( "=" | ":" ) ( quoted | name )
fn datamodel_ref(i: In) -> PResult<Word> {
    let Ok((rest, _)) = keyword_ci("datamodel").parse(i) else {
        return fail(
            i,
            format!("expected `datamodel=Model.Dataset`, found {}", describe(i)),
        );
    };
    let (after_ws, _) = ws0(rest)?;
    let rest = match after_ws.fragment().chars().next() {
        Some('=' | ':') => ws0(after_ws.take_from(1))?.0,
        _ if after_ws.location_offset() > rest.location_offset() => after_ws,
        _ => return fail(rest, "expected `=` after `datamodel`"),
    };
    dataset_name(rest)
}

fn dataset_name(i: In) -> PResult<Word> {
    if i.fragment().starts_with('"') {
        return quoted(i);
    }
    let len = i
        .fragment()
        .find(|c: char| c.is_whitespace() || c == '|')
        .unwrap_or(i.fragment().len());
    if len == 0 {
        return fail(
            i,
            format!("expected a data model name, found {}", describe(i)),
        );
    }
    let (rest, taken) = i.take_split(len);
    Ok((rest, word(taken, false, taken.fragment().to_string())))
}

/// from_command = ws0 datamodel_ref
pub fn from_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    let (i, dm) = datamodel_ref(i)?;
    Ok((i, CommandKind::FromDatamodel(dm)))
}

/// datamodel_command = ws0 model ws1 dataset [ ws1 "search" ]
pub fn datamodel_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    let (i, model) = dataset_name(i)?;
    let (i, _) = ws1(i)?;
    let (i, dataset) = dataset_name(i)?;
    let (i, _) = ws0(i)?;
    let i = match keyword_ci("search").parse(i) {
        Ok((rest, _)) => rest,
        Err(_) if i.fragment().is_empty() => i,
        Err(_) => {
            return fail(
                i,
                "not supported yet: `datamodel` modes other than `search`",
            )
        }
    };
    let name = format!("{}.{}", model.text, dataset.text);
    Ok((
        i,
        CommandKind::FromDatamodel(Word {
            text: name,
            quoted: false,
            span: model.span.to(dataset.span),
        }),
    ))
}
