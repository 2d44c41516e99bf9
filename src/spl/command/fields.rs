//! `table`, `fields` and `rename`: commands that choose and name the output fields.

use crate::spl::ast::{CommandKind, Word};
use crate::spl::command::field_list;
use crate::spl::lex::list_separator;
use crate::spl::lex::{describe, fail, field_name, keyword_ci, ws0, ws1, In, PResult};
use nom::{Input, Parser};

/// table_command = ws0 field_list
pub fn table_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    let (i, fields) = field_list(i).or_else(|_| {
        fail(
            i,
            format!("`table` expects field names, found {}", describe(i)),
        )
    })?;
    Ok((i, CommandKind::Table(fields)))
}

/// fields_command = ws0 [ "+" | "-" ] ws0 field_list
pub fn fields_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    let (i, remove) = match i.fragment().chars().next() {
        Some('-') => (i.take_from(1), true),
        Some('+') => (i.take_from(1), false),
        _ => (i, false),
    };
    let (i, _) = ws0(i)?;
    let (i, fields) = field_list(i).or_else(|_| {
        fail(
            i,
            format!("`fields` expects field names, found {}", describe(i)),
        )
    })?;
    Ok((i, CommandKind::Fields { remove, fields }))
}

/// rename_command = ws0 rename_pair { ws0 [","] ws0 rename_pair }
pub fn rename_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut pairs = Vec::new();
    loop {
        let (rest, pair) = rename_pair(i)?;
        pairs.push(pair);
        let rest = list_separator(rest)?.0;
        if rest.fragment().is_empty() {
            return Ok((rest, CommandKind::Rename(pairs)));
        }
        i = rest;
    }
}

/// rename_pair = field ws1 "as" ws1 field
fn rename_pair(i: In) -> PResult<(Word, Word)> {
    let (rest, from) = field_name(i).or_else(|_| {
        fail(
            i,
            format!("`rename` expects a field name, found {}", describe(i)),
        )
    })?;
    let Ok((rest, _)) = (ws1, keyword_ci("as"), ws1).parse(rest) else {
        return fail(
            rest,
            format!(
                "expected `as` after `{}` in rename, found {}",
                from.text,
                describe(ws0(rest)?.0)
            ),
        );
    };
    let (rest, to) = field_name(rest).or_else(|_| {
        fail(
            rest,
            format!("`as` expects a field name, found {}", describe(rest)),
        )
    })?;
    Ok((rest, (from, to)))
}
