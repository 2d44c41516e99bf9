//! `name=value` command options and the small parsers the newer commands share.

use crate::spl::ast::Word;
use crate::spl::lex::{describe, fail, failure, parse_bool, quoted, word, ws0, In, PResult};
use nom::Input;

/// option_name = name ws0 "=" ws0   (not `==` or `!=`); returns the lower-cased name.
pub fn option_name(i: In) -> PResult<Word> {
    let len = i
        .fragment()
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(i.fragment().len());
    if len == 0 || !i.fragment().starts_with(|c: char| c.is_ascii_alphabetic()) {
        return crate::spl::lex::backtrack(i, "expected an option");
    }
    let (rest, name) = i.take_split(len);
    let (rest, _) = ws0(rest)?;
    if !rest.fragment().starts_with('=') || rest.fragment().starts_with("==") {
        return crate::spl::lex::backtrack(i, "expected an option");
    }
    let (rest, _) = ws0(rest.take_from(1))?;
    Ok((
        rest,
        word(name, false, name.fragment().to_ascii_lowercase()),
    ))
}

/// option_arg = quoted | bare   (bare: up to whitespace or "," outside parentheses)
pub fn option_arg(i: In) -> PResult<Word> {
    if i.fragment().starts_with('"') {
        return quoted(i);
    }
    let mut depth = 0i32;
    let mut end = i.fragment().len();
    for (at, c) in i.fragment().char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth <= 0 && (c.is_whitespace() || c == ',') => {
                end = at;
                break;
            }
            _ => {}
        }
    }
    if end == 0 {
        return fail(i, format!("expected a value, found {}", describe(i)));
    }
    let (rest, taken) = i.take_split(end);
    Ok((rest, word(taken, false, taken.fragment().to_string())))
}

/// bool_arg = option_arg read as true/false/t/f/1/0.
pub fn bool_arg<'a>(i: In<'a>, name: &Word) -> PResult<'a, bool> {
    let (rest, w) = option_arg(i)?;
    match parse_bool(&w) {
        Some(b) => Ok((rest, b)),
        None => Err(failure(
            i,
            format!("`{}=` expects true or false, found `{}`", name.text, w.text),
        )),
    }
}

/// int_arg = option_arg read as a whole number.
pub fn int_arg<'a>(i: In<'a>, name: &Word) -> PResult<'a, u64> {
    let (rest, w) = option_arg(i)?;
    match w.text.parse() {
        Ok(n) => Ok((rest, n)),
        Err(_) => Err(failure(
            i,
            format!(
                "`{}=` expects a whole number, found `{}`",
                name.text, w.text
            ),
        )),
    }
}

/// field_arg = quoted | field_start { any character but whitespace and `,=()"[]|` }
///
/// Looser than `field_name`: Splunk field names may hold `/`, `:` or `-`
/// (`annotations.authorization.k8s.io/decision`).
pub fn field_arg<'a>(i: In<'a>, what: &str) -> PResult<'a, Word> {
    if i.fragment().starts_with('"') || i.fragment().starts_with('\'') {
        return quoted(i);
    }
    let starts_well = i
        .fragment()
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || matches!(c, '_' | '@' | '*'));
    if !starts_well {
        return fail(
            i,
            format!("{what} expects a field name, found {}", describe(i)),
        );
    }
    let end = i
        .fragment()
        .find(|c: char| c.is_whitespace() || ",=()\"[]|".contains(c))
        .unwrap_or(i.fragment().len());
    let (rest, taken) = i.take_split(end);
    Ok((rest, word(taken, false, taken.fragment().to_string())))
}

/// An error for an option the command does not take.
pub fn unknown_option<'a, T>(
    at: In<'a>,
    command: &str,
    name: &Word,
    known: &str,
) -> PResult<'a, T> {
    Err(nom::Err::Failure(
        crate::spl::lex::PError::new(at, format!("`{command}` has no option `{}`", name.text))
            .with_help(format!("`{command}` takes: {known}")),
    ))
}
