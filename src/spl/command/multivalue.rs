//! `mvexpand`, `makemv`, `mvcombine`, `fillnull`, `convert`: commands that reshape field values.

use crate::spl::ast::{
    CommandKind, ConvertCall, ConvertCommand, FillnullCommand, MakemvCommand, Word,
};
use crate::spl::command::options::{
    bool_arg, field_arg, int_arg, option_arg, option_name, unknown_option,
};
use crate::spl::lex::{describe, fail, keyword_ci, list_separator, word, ws0, ws1, In, PResult};
use nom::{Input, Parser};

/// mvexpand_command = ws0 field_name [ ws1 "limit=" integer ]
pub fn mvexpand_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let (mut field, mut limit) = (None, None);
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            if name.text != "limit" {
                return unknown_option(i, "mvexpand", &name, "limit=");
            }
            let (rest, n) = int_arg(rest, &name)?;
            limit = Some(n);
            i = ws0(rest)?.0;
        } else {
            let (rest, f) = field_arg(i, "`mvexpand`")?;
            field = Some(f);
            i = ws0(rest)?.0;
        }
    }
    let Some(field) = field else {
        return fail(i, "`mvexpand` expects a field name");
    };
    Ok((i, CommandKind::Mvexpand { field, limit }))
}

/// makemv_command = ws0 { ( "delim=" | "tokenizer=" | "allowempty=" | "setsv=" ) option_arg } field_name
pub fn makemv_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let (mut delim, mut tokenizer, mut allowempty, mut setsv, mut field) =
        (None, None, false, false, None);
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            let rest = match name.text.as_str() {
                "delim" => {
                    let (r, d) = option_arg(rest)?;
                    delim = Some(d);
                    r
                }
                "tokenizer" => {
                    let (r, t) = option_arg(rest)?;
                    tokenizer = Some(t);
                    r
                }
                "allowempty" => {
                    let (r, b) = bool_arg(rest, &name)?;
                    allowempty = b;
                    r
                }
                "setsv" => {
                    let (r, b) = bool_arg(rest, &name)?;
                    setsv = b;
                    r
                }
                _ => {
                    return unknown_option(
                        i,
                        "makemv",
                        &name,
                        "delim=, tokenizer=, allowempty=, setsv=",
                    )
                }
            };
            i = ws0(rest)?.0;
        } else {
            let (rest, f) = field_arg(i, "`makemv`")?;
            field = Some(f);
            i = ws0(rest)?.0;
        }
    }
    let Some(field) = field else {
        return fail(i, "`makemv` expects a field name");
    };
    Ok((
        i,
        CommandKind::Makemv(MakemvCommand {
            delim,
            tokenizer,
            allowempty,
            setsv,
            field,
        }),
    ))
}

/// mvcombine_command = ws0 [ "delim=" option_arg ws1 ] field_name
pub fn mvcombine_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let (mut delim, mut field) = (None, None);
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            if name.text != "delim" {
                return unknown_option(i, "mvcombine", &name, "delim=");
            }
            let (rest, d) = option_arg(rest)?;
            delim = Some(d);
            i = ws0(rest)?.0;
        } else {
            let (rest, f) = field_arg(i, "`mvcombine`")?;
            field = Some(f);
            i = ws0(rest)?.0;
        }
    }
    let Some(field) = field else {
        return fail(i, "`mvcombine` expects a field name");
    };
    Ok((i, CommandKind::Mvcombine { delim, field }))
}

/// `fillnull_command = ws0 [ "value=" option_arg ] [ field_list ]`
pub fn fillnull_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let (mut value, mut fields) = (None, Vec::new());
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            if name.text != "value" {
                return unknown_option(i, "fillnull", &name, "value=");
            }
            let (rest, v) = option_arg(rest)?;
            value = Some(v);
            i = list_separator(rest)?.0;
        } else {
            let (rest, f) = field_arg(i, "`fillnull`")?;
            fields.push(f);
            i = list_separator(rest)?.0;
        }
    }
    Ok((i, CommandKind::Fillnull(FillnullCommand { value, fields })))
}

/// convert_command = ws0 [ "timeformat=" option_arg ] convert_call { ws0 [","] ws0 convert_call }
pub fn convert_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut timeformat = None;
    let mut conversions = Vec::new();
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            if name.text != "timeformat" {
                return unknown_option(i, "convert", &name, "timeformat=");
            }
            let (rest, f) = option_arg(rest)?;
            timeformat = Some(f);
            i = list_separator(rest)?.0;
        } else {
            let (rest, call) = convert_call(i)?;
            conversions.push(call);
            i = list_separator(rest)?.0;
        }
    }
    if conversions.is_empty() {
        return fail(i, "`convert` expects a conversion such as `ctime(_time)`");
    }
    Ok((
        i,
        CommandKind::Convert(ConvertCommand {
            timeformat,
            conversions,
        }),
    ))
}

/// `convert_call = name "(" ws0 [ field_name ] ws0 ")" [ ws1 "as" ws1 field_name ]`
fn convert_call(i: In) -> PResult<ConvertCall> {
    let len = i
        .fragment()
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(i.fragment().len());
    let (rest, name) = i.take_split(len);
    if len == 0 || !rest.fragment().starts_with('(') {
        return fail(
            i,
            format!(
                "`convert` expects a conversion such as `ctime(field)`, found {}",
                describe(i)
            ),
        );
    }
    let func = word(name, false, name.fragment().to_ascii_lowercase());
    let (rest, _) = ws0(rest.take_from(1))?;
    let (rest, field) = if rest.fragment().starts_with(')') {
        (rest, word(rest.take(0), false, "*".to_string()))
    } else {
        field_arg(rest, &format!("`{}(`", func.text))?
    };
    let (rest, _) = ws0(rest)?;
    if !rest.fragment().starts_with(')') {
        return fail(rest, format!("expected `)` to close `{}(`", func.text));
    }
    let mut rest = rest.take_from(1);
    let mut alias = None;
    if let Ok((after, _)) = (ws1, keyword_ci("as"), ws1).parse(rest) {
        let (after, a) = field_arg(after, "`as`")?;
        alias = Some(a);
        rest = after;
    }
    Ok((rest, ConvertCall { func, field, alias }))
}

/// replace_command = ws0 replace_pair { list_separator replace_pair } [ ws1 "in" ws1 field_arg { list_separator field_arg } ]
pub fn replace_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut pairs = Vec::new();
    loop {
        let (rest, pair) = replace_pair(i)?;
        pairs.push(pair);
        i = list_separator(rest)?.0;
        if i.fragment().is_empty() || keyword_ci("in").parse(i).is_ok() {
            break;
        }
    }
    let mut fields = Vec::new();
    if let Ok((rest, _)) = (keyword_ci("in"), ws1).parse(i) {
        i = rest;
        while !i.fragment().is_empty() {
            let (rest, f) = field_arg(i, "`in`")?;
            fields.push(f);
            i = list_separator(rest)?.0;
        }
        if fields.is_empty() {
            return fail(i, "`in` expects field names");
        }
    }
    Ok((i, CommandKind::Replace { pairs, fields }))
}

/// replace_pair = option_arg ws1 "with" ws1 option_arg
fn replace_pair(i: In) -> PResult<(Word, Word)> {
    let (rest, from) = option_arg(i)?;
    let Ok((rest, _)) = (ws1, keyword_ci("with"), ws1).parse(rest) else {
        return fail(
            rest,
            format!(
                "expected `with` after `{}` in replace, found {}",
                from.text,
                describe(ws0(rest)?.0)
            ),
        );
    };
    let (rest, to) = option_arg(rest)?;
    Ok((rest, (from, to)))
}
