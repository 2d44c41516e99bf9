//! `join`, `append` and `appendpipe`: commands that combine results with a subsearch's.

use crate::spl::ast::{CommandKind, Word};
use crate::spl::command::field_list;
use crate::spl::lex::{describe, fail, option_value, ws0, In, PResult};
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
    let (i, options) = options(i, &names)?;
    let (i, fields) = if i.fragment().starts_with('[') {
        (i, Vec::new())
    } else {
        field_list(i)?
    };
    let (i, _) = ws0(i)?;
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
