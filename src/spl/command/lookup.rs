//! `lookup`, `inputlookup` and `outputlookup`: CSV lookup tables from the `--lookups` folder.

use crate::spl::ast::{CommandKind, LookupCommand, Word};
use crate::spl::lex::{
    describe, fail, field_name, keyword_ci, list_separator, option_value, parse_bool, quoted, word,
    ws0, ws1, In, PResult,
};
use crate::spl::search::search;
use nom::{Input, Parser};

/// lookup_command = ws0 { ("local"|"update") "=" bool ws1 } table ws1 lookup_field { list_separator lookup_field }
///                  [ ("OUTPUT" | "OUTPUTNEW") ws1 lookup_field { list_separator lookup_field } ]
pub fn lookup_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    while let Ok((rest, _)) = option_value("local")(i).or_else(|_| option_value("update")(i)) {
        i = ws0(rest)?.0;
    }
    let (i, table) = table_name(i)?;
    let (mut i, _) = ws1(i).or_else(|_| {
        fail(
            i,
            "`lookup` expects the fields to match after the table name",
        )
    })?;
    let mut inputs = Vec::new();
    while !i.fragment().is_empty() && !at_output(i) {
        let (rest, pair) = lookup_field(i)?;
        inputs.push(pair);
        i = list_separator(rest)?.0;
    }
    if inputs.is_empty() {
        return fail(
            i,
            format!("`lookup` expects a field to match, found {}", describe(i)),
        );
    }
    let mut lookup = LookupCommand {
        table,
        inputs,
        outputs: Vec::new(),
        output_new: false,
    };
    if at_output(i) {
        let (rest, mode) = keyword_ci("outputnew")
            .parse(i)
            .or_else(|_| keyword_ci("output").parse(i))?;
        lookup.output_new = mode.fragment().eq_ignore_ascii_case("outputnew");
        i = ws0(rest)?.0;
        while !i.fragment().is_empty() {
            let (rest, pair) = lookup_field(i)?;
            lookup.outputs.push(pair);
            i = list_separator(rest)?.0;
        }
        if lookup.outputs.is_empty() {
            return fail(i, "`OUTPUT` expects the lookup fields to copy");
        }
    }
    Ok((i, CommandKind::Lookup(lookup)))
}

fn at_output(i: In) -> bool {
    keyword_ci("output").parse(i).is_ok() || keyword_ci("outputnew").parse(i).is_ok()
}

/// lookup_field = field_name [ ws1 "as" ws1 field_name ]
fn lookup_field(i: In) -> PResult<(Word, Option<Word>)> {
    let (rest, field) = field_name(i)
        .or_else(|_| fail(i, format!("expected a field name, found {}", describe(i))))?;
    if let Ok((after, _)) = (ws1, keyword_ci("as"), ws1).parse(rest) {
        let (after, alias) = field_name(after).or_else(|_| {
            fail(
                after,
                format!("`as` expects a field name, found {}", describe(after)),
            )
        })?;
        return Ok((after, (field, Some(alias))));
    }
    Ok((rest, (field, None)))
}

/// table = quoted | { not whitespace }
fn table_name(i: In) -> PResult<Word> {
    if i.fragment().starts_with('"') {
        return quoted(i);
    }
    let len = i
        .fragment()
        .find(char::is_whitespace)
        .unwrap_or(i.fragment().len());
    if len == 0 {
        return fail(i, "expected a lookup table name");
    }
    let (rest, taken) = i.take_split(len);
    Ok((rest, word(taken, false, taken.fragment().to_string())))
}

/// Options of inputlookup/outputlookup: `name=value` before the table name.
fn lookup_options<'a>(mut i: In<'a>, names: &[&'static str]) -> PResult<'a, Vec<(String, Word)>> {
    let mut options = Vec::new();
    'scan: loop {
        for name in names {
            if let Ok((rest, value)) = option_value(name)(i) {
                options.push((name.to_string(), value));
                i = ws0(rest)?.0;
                continue 'scan;
            }
        }
        return Ok((i, options));
    }
}

fn flag(options: &[(String, Word)], name: &str) -> bool {
    options
        .iter()
        .any(|(n, v)| n == name && parse_bool(v) == Some(true))
}

/// inputlookup_command = ws0 { option } table [ ws1 "where" ws1 search ]
pub fn inputlookup_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    let (i, options) = lookup_options(i, &["append", "start", "max", "strict"])?;
    let (mut i, table) = table_name(i)?;
    let mut filter = None;
    if let Ok((rest, _)) = (ws1, keyword_ci("where"), ws1).parse(i) {
        let (rest, parsed) = search(rest)?;
        filter = Some(parsed);
        i = rest;
    }
    Ok((
        i,
        CommandKind::InputLookup {
            table,
            append: flag(&options, "append"),
            filter,
        },
    ))
}

/// outputlookup_command = ws0 { option } table
pub fn outputlookup_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    let names = [
        "append",
        "create_empty",
        "override_if_empty",
        "max",
        "key_field",
        "createinapp",
        "create_context",
        "output_format",
        "allow_updates",
    ];
    let (i, options) = lookup_options(i, &names)?;
    let (i, table) = table_name(i)?;
    Ok((
        i,
        CommandKind::OutputLookup {
            table,
            append: flag(&options, "append"),
        },
    ))
}
