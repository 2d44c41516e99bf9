//! `join`, `append` and `appendpipe`: commands that combine results with a subsearch's.

use crate::spl::ast::{CommandKind, ReturnItem, Word};
use crate::spl::lex::{describe, fail, field_name, list_separator, option_value, ws0, In, PResult};
use crate::spl::parse::subsearch;

/// join_command = ws0 { join_option ws0 } [ field_list ws0 ] subsearch
pub fn join_command(i: In) -> PResult<CommandKind> {
    let names = [
        "type",
        "usetime",
        "earlier",
        "overwrite",
        "max",
        "left",
        "right",
        "where",
        "return_multivalue",
    ];
    let (mut i, mut found) = options(i, &names)?;
    let mut fields = Vec::new();
    while !i.fragment().is_empty() && !i.fragment().starts_with('[') {
        let (rest, field) = field_name(i).or_else(|_| {
            fail(
                i,
                format!(
                    "`join` expects field names or options, found {}",
                    describe(i)
                ),
            )
        })?;
        fields.push(field);
        let (rest, more) = options(list_separator(rest)?.0, &names)?;
        found.extend(more);
        i = rest;
    }
    let options = found;
    if !i.fragment().starts_with('[') {
        return fail(
            i,
            format!("`join` expects a [ subsearch ], found {}", describe(i)),
        );
    }
    let (i, query) = subsearch(i)?;
    Ok((
        i,
        CommandKind::Join {
            options,
            fields,
            subsearch: query,
        },
    ))
}

/// append_command = ws0 { append_option ws0 } subsearch
pub fn append_command(i: In) -> PResult<CommandKind> {
    let (i, _) = options(i, &["extendtimerange", "maxtime", "maxout", "timeout"])?;
    let (i, query) = bracketed(i, "append")?;
    Ok((i, CommandKind::Append(query)))
}

/// appendpipe_command = ws0 [ "run_in_preview=" bool ws0 ] subsearch
pub fn appendpipe_command(i: In) -> PResult<CommandKind> {
    let (i, _) = options(i, &["run_in_preview"])?;
    if !i.fragment().starts_with('[') {
        return fail(
            i,
            format!(
                "`appendpipe` expects a [ subpipeline ], found {}",
                describe(i)
            ),
        );
    }
    let (i, query) = crate::spl::parse::subpipeline(i)?;
    Ok((i, CommandKind::AppendPipe(query)))
}

fn bracketed<'a>(i: In<'a>, command: &str) -> PResult<'a, crate::spl::ast::Query> {
    if !i.fragment().starts_with('[') {
        return fail(
            i,
            format!("`{command}` expects a [ subsearch ], found {}", describe(i)),
        );
    }
    subsearch(i)
}

fn options<'a>(i: In<'a>, names: &[&'static str]) -> PResult<'a, Vec<(Word, Word)>> {
    let (mut i, _) = ws0(i)?;
    let mut found = Vec::new();
    'scan: loop {
        for name in names {
            if let Ok((rest, value)) = option_value(name)(i) {
                let key = crate::spl::lex::word(i, false, (*name).to_string());
                found.push((key, value));
                i = ws0(rest)?.0;
                continue 'scan;
            }
        }
        return Ok((i, found));
    }
}

/// format_command = ws0 { ( "mvsep" | "maxresults" ) "=" option_arg }
pub fn format_command(i: In) -> PResult<CommandKind> {
    let (i, found) = options(i, &["mvsep", "maxresults"])?;
    if !i.fragment().trim().is_empty() {
        return fail(
            i,
            "not supported yet: custom `format` row and column strings",
        );
    }
    let maxresults = match found.iter().find(|(k, _)| k.text == "maxresults") {
        None => None,
        Some((_, v)) => match v.text.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => return fail(i, "`maxresults=` expects a whole number"),
        },
    };
    Ok((
        i,
        CommandKind::Format {
            maxresults: maxresults.filter(|n| *n > 0),
        },
    ))
}

/// return_command = ws0 [ integer ws1 ] return_item { ws1 return_item }
/// return_item = "$" field_name | field_name "=" field_name | field_name
pub fn return_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut count = 1;
    if let Ok((rest, n)) = crate::spl::lex::integer(i) {
        count = n;
        i = ws0(rest)?.0;
    }
    let mut items = Vec::new();
    while !i.fragment().is_empty() {
        let raw = i.fragment().starts_with('$');
        let start = if raw { nom::Input::take_from(&i, 1) } else { i };
        let (rest, first) = field_name(start)
            .or_else(|_| fail(i, format!("`return` expects fields, found {}", describe(i))))?;
        let (rest, item) = match rest.fragment().strip_prefix('=') {
            Some(_) if !raw => {
                let (rest, field) = field_name(nom::Input::take_from(&rest, 1))?;
                (
                    rest,
                    ReturnItem {
                        alias: first,
                        field,
                        raw,
                    },
                )
            }
            _ => (
                rest,
                ReturnItem {
                    alias: first.clone(),
                    field: first,
                    raw,
                },
            ),
        };
        items.push(item);
        i = list_separator(rest)?.0;
    }
    if items.is_empty() {
        return fail(i, "`return` expects at least one field");
    }
    Ok((i, CommandKind::Return { count, items }))
}
