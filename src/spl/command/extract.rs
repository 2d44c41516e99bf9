//! `rex`, `regex`, `spath`, `fromjson`, `xmlkv`, `iplocation`: commands that read fields out of text.

use crate::spl::ast::{CommandKind, IplocationCommand, RegexCommand, RexCommand, SpathCommand};
use crate::spl::command::options::{
    bool_arg, field_arg, int_arg, option_arg, option_name, unknown_option,
};
use crate::spl::lex::{describe, fail, field_name, quoted, ws0, In, PResult};
use nom::Input;

/// rex_command = ws0 { rex_option ws0 } quoted { ws0 rex_option }, where
/// rex_option = "field=" field_name | "max_match=" integer | "mode=sed"
pub fn rex_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let (mut field, mut max_match, mut sed, mut pattern) = (None, None, false, None);
    while !i.fragment().is_empty() {
        if i.fragment().starts_with('"') {
            if pattern.is_some() {
                return fail(i, "`rex` takes one regular expression");
            }
            let (rest, p) = quoted(i)?;
            pattern = Some(p);
            i = ws0(rest)?.0;
            continue;
        }
        let (rest, name) = option_name(i).or_else(|_| {
            fail(
                i,
                format!(
                    "`rex` expects a quoted regular expression, found {}",
                    describe(i)
                ),
            )
        })?;
        let rest = match name.text.as_str() {
            "field" => {
                let (r, f) = field_arg(rest, "`field=`")?;
                field = Some(f);
                r
            }
            "max_match" => {
                let (r, n) = int_arg(rest, &name)?;
                max_match = Some(n);
                r
            }
            "mode" => {
                let (r, m) = option_arg(rest)?;
                if !m.text.eq_ignore_ascii_case("sed") {
                    return fail(rest, format!("`mode=` must be `sed`, found `{}`", m.text));
                }
                sed = true;
                r
            }
            _ => return unknown_option(i, "rex", &name, "field=, max_match=, mode=sed"),
        };
        i = ws0(rest)?.0;
    }
    let Some(pattern) = pattern else {
        return fail(
            i,
            "`rex` expects a quoted regular expression, such as \"(?<user>\\w+)\"",
        );
    };
    Ok((
        i,
        CommandKind::Rex(RexCommand {
            field,
            max_match,
            sed,
            pattern,
        }),
    ))
}

/// regex_command = ws0 ( quoted | field_name ws0 ( "=" | "!=" ) ws0 quoted )
pub fn regex_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    if i.fragment().starts_with('"') {
        let (rest, pattern) = quoted(i)?;
        return Ok((
            rest,
            CommandKind::Regex(RegexCommand {
                field: None,
                negate: false,
                pattern,
            }),
        ));
    }
    let (rest, field) = field_name(i).or_else(|_| {
        fail(
            i,
            format!("`regex` expects `field=\"regex\"`, found {}", describe(i)),
        )
    })?;
    let (rest, _) = ws0(rest)?;
    let (rest, negate) = if rest.fragment().starts_with("!=") {
        (rest.take_from(2), true)
    } else if rest.fragment().starts_with('=') {
        (rest.take_from(1), false)
    } else {
        return fail(
            rest,
            format!(
                "expected `=` or `!=` after `{}`, found {}",
                field.text,
                describe(rest)
            ),
        );
    };
    let (rest, _) = ws0(rest)?;
    let (rest, pattern) = option_arg(rest)?;
    Ok((
        rest,
        CommandKind::Regex(RegexCommand {
            field: Some(field),
            negate,
            pattern,
        }),
    ))
}

/// spath_command = ws0 { ( "input=" | "output=" | "path=" ) option_arg | option_arg }
pub fn spath_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut spath = SpathCommand {
        input: None,
        output: None,
        path: None,
    };
    while !i.fragment().is_empty() {
        let rest = match option_name(i) {
            Ok((rest, name)) => {
                let (r, value) = option_arg(rest)?;
                match name.text.as_str() {
                    "input" => spath.input = Some(value),
                    "output" => spath.output = Some(value),
                    "path" => spath.path = Some(value),
                    _ => return unknown_option(i, "spath", &name, "input=, output=, path="),
                }
                r
            }
            Err(_) => {
                let (r, value) = option_arg(i)?;
                spath.path = Some(value);
                r
            }
        };
        i = ws0(rest)?.0;
    }
    Ok((i, CommandKind::Spath(spath)))
}

/// fromjson_command = ws0 field_name [ ws1 "prefix=" option_arg ]
pub fn fromjson_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    let (mut i, field) = field_arg(i, "`fromjson`")?;
    let mut prefix = None;
    loop {
        i = ws0(i)?.0;
        if i.fragment().is_empty() {
            break;
        }
        let (rest, name) =
            option_name(i).or_else(|_| fail(i, format!("unexpected {}", describe(i))))?;
        if name.text != "prefix" {
            return unknown_option(i, "fromjson", &name, "prefix=");
        }
        let (rest, p) = option_arg(rest)?;
        prefix = Some(p);
        i = rest;
    }
    Ok((i, CommandKind::Fromjson { field, prefix }))
}

/// xmlkv_command = ws0 [ field_name ] [ "maxinputs=" integer ]
pub fn xmlkv_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut field = None;
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            if name.text != "maxinputs" {
                return unknown_option(i, "xmlkv", &name, "maxinputs=");
            }
            i = ws0(int_arg(rest, &name)?.0)?.0;
        } else {
            let (rest, f) = field_arg(i, "`xmlkv`")?;
            field = Some(f);
            i = ws0(rest)?.0;
        }
    }
    Ok((i, CommandKind::Xmlkv { field }))
}

/// iplocation_command = ws0 { ( "prefix=" | "allfields=" | "lang=" ) option_arg } field_name
pub fn iplocation_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let (mut prefix, mut allfields, mut field) = (None, false, None);
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            let rest = match name.text.as_str() {
                "prefix" => {
                    let (r, p) = option_arg(rest)?;
                    prefix = Some(p);
                    r
                }
                "allfields" => {
                    let (r, b) = bool_arg(rest, &name)?;
                    allfields = b;
                    r
                }
                "lang" => option_arg(rest)?.0,
                _ => return unknown_option(i, "iplocation", &name, "prefix=, allfields=, lang="),
            };
            i = ws0(rest)?.0;
        } else {
            let (rest, f) = field_arg(i, "`iplocation`")?;
            field = Some(f);
            i = ws0(rest)?.0;
        }
    }
    let Some(field) = field else {
        return fail(
            i,
            "`iplocation` expects the IP address field, as in `iplocation src_ip`",
        );
    };
    Ok((
        i,
        CommandKind::Iplocation(IplocationCommand {
            prefix,
            allfields,
            field,
        }),
    ))
}
