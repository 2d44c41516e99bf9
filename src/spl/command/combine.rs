//! `join`, `append` and `appendpipe`: commands that combine results with a subsearch's.

use crate::spl::ast::{CommandKind, Word};
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
