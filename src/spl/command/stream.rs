//! `eventstats`, `streamstats`, `transaction`, `tail`, `reverse`, `makeresults`, `foreach`.

use crate::ir::{FOREACH_FIELD, FOREACH_MATCHSTR};
use crate::spl::ast::{
    Boundary, CommandKind, ForeachCommand, StreamstatsCommand, TransactionCommand,
};
use crate::spl::command::eval::eval_command;
use crate::spl::command::options::{
    bool_arg, field_arg, int_arg, option_arg, option_name, unknown_option,
};
use crate::spl::command::stats::stats_command;
use crate::spl::expr::expr;
use crate::spl::lex::ws0;
use crate::spl::lex::{describe, fail, integer, keyword_ci, list_separator, In, PResult};
use crate::spl::search::search;
use nom::{Input, Parser};

/// eventstats_command = stats_command
pub fn eventstats_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    while let Ok((rest, name)) = option_name(i) {
        if name.text != "allnum" {
            return unknown_option(i, "eventstats", &name, "allnum=");
        }
        i = ws0(bool_arg(rest, &name)?.0)?.0;
    }
    match stats_command(i)? {
        (rest, CommandKind::Stats(s)) => Ok((rest, CommandKind::Eventstats(s))),
        (rest, _) => fail(rest, "`eventstats` expects functions such as `count`"),
    }
}

/// The largest `streamstats window=`: each event is combined with that many earlier ones.
pub const MAX_WINDOW: u64 = 10_000;

/// streamstats_command = ws0 { ( "window=" | "current=" | "global=" | "reset_on_change=" | "allnum=" ) option_arg } stats_command
pub fn streamstats_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut window = None;
    let (mut current, mut global, mut reset_on_change) = (true, true, false);
    while let Ok((rest, name)) = option_name(i) {
        let rest = match name.text.as_str() {
            "window" => {
                let (r, n) = int_arg(rest, &name)?;
                if n > MAX_WINDOW {
                    return fail(
                        rest,
                        format!("`window=` is at most {MAX_WINDOW} (Splunk's max_stream_window)"),
                    );
                }
                window = Some(n);
                r
            }
            "current" => bool_arg(rest, &name).map(|(r, b)| {
                current = b;
                r
            })?,
            "global" => bool_arg(rest, &name).map(|(r, b)| {
                global = b;
                r
            })?,
            "reset_on_change" => bool_arg(rest, &name).map(|(r, b)| {
                reset_on_change = b;
                r
            })?,
            "allnum" => bool_arg(rest, &name)?.0,
            "time_window" | "reset_before" | "reset_after" => {
                return fail(
                    i,
                    format!("not supported yet: the streamstats option `{}=`", name.text),
                )
            }
            _ => {
                return unknown_option(
                    i,
                    "streamstats",
                    &name,
                    "window=, current=, global=, reset_on_change=, allnum=",
                )
            }
        };
        i = ws0(rest)?.0;
    }
    match stats_command(i)? {
        (rest, CommandKind::Stats(stats)) => Ok((
            rest,
            CommandKind::Streamstats(StreamstatsCommand {
                window,
                current,
                global,
                reset_on_change,
                stats,
            }),
        )),
        (rest, _) => fail(rest, "`streamstats` expects functions such as `count`"),
    }
}

/// transaction_command = ws0 { transaction_option | field_name }
/// transaction_option = ( "maxspan=" | "maxpause=" | "maxevents=" | "keepevicted=" ) option_arg
///                    | ( "startswith=" | "endswith=" ) boundary
pub fn transaction_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut t = TransactionCommand {
        fields: Vec::new(),
        maxspan: None,
        maxpause: None,
        maxevents: None,
        startswith: None,
        endswith: None,
        keepevicted: false,
    };
    while !i.fragment().is_empty() {
        if let Ok((rest, name)) = option_name(i) {
            let rest = match name.text.as_str() {
                "maxspan" => option_arg(rest).map(|(r, w)| {
                    t.maxspan = Some(w);
                    r
                })?,
                "maxpause" => option_arg(rest).map(|(r, w)| {
                    t.maxpause = Some(w);
                    r
                })?,
                "maxevents" => int_arg(rest, &name).map(|(r, n)| {
                    t.maxevents = Some(n);
                    r
                })?,
                "keepevicted" => bool_arg(rest, &name).map(|(r, b)| {
                    t.keepevicted = b;
                    r
                })?,
                "startswith" => boundary(rest).map(|(r, b)| {
                    t.startswith = Some(b);
                    r
                })?,
                "endswith" => boundary(rest).map(|(r, b)| {
                    t.endswith = Some(b);
                    r
                })?,
                "mvlist" | "delim" | "connected" | "unifyends" | "keeporphans" | "maxopentxn"
                | "maxopenevents" | "mvraw" | "nullstr" => option_arg(rest)?.0,
                _ => {
                    return unknown_option(
                        i,
                        "transaction",
                        &name,
                        "maxspan=, maxpause=, maxevents=, startswith=, endswith=, keepevicted=",
                    )
                }
            };
            i = ws0(rest)?.0;
        } else {
            let (rest, f) = field_arg(i, "`transaction`")?;
            t.fields.push(f);
            i = list_separator(rest)?.0;
        }
    }
    Ok((i, CommandKind::Transaction(t)))
}

/// boundary = "eval(" expr ")" | quoted search | "(" search ")" | bare search term
fn boundary(i: In) -> PResult<Boundary> {
    let text = *i.fragment();
    if text.starts_with("eval(") {
        let len = balanced(&text[4..])
            .ok_or_else(|| crate::spl::lex::failure(i, "unbalanced parentheses in `eval(...)`"))?;
        let body = i.take_from(4).take(len);
        let (rest, e) = expr(body)?;
        ensure_consumed(rest)?;
        return Ok((i.take_from(4 + len), Boundary::Eval(e)));
    }
    let (inner, after) = if text.starts_with('"') {
        let end = closing_quote(text)
            .ok_or_else(|| crate::spl::lex::failure(i, "unterminated quoted string"))?;
        (i.take_from(1).take(end - 1), end + 1)
    } else if text.starts_with('(') {
        let len =
            balanced(text).ok_or_else(|| crate::spl::lex::failure(i, "unbalanced parentheses"))?;
        (i.take_from(1).take(len - 2), len)
    } else {
        let len = text.find(char::is_whitespace).unwrap_or(text.len());
        (i.take(len), len)
    };
    let (rest, s) = search(inner)?;
    ensure_consumed(rest)?;
    Ok((i.take_from(after), Boundary::Search(s)))
}

fn ensure_consumed(rest: In) -> PResult<()> {
    if rest.fragment().trim().is_empty() {
        Ok((rest, ()))
    } else {
        fail(rest, format!("unexpected {}", describe(rest)))
    }
}

/// The length of the parenthesised group at the start of `text`, including both parentheses.
fn balanced(text: &str) -> Option<usize> {
    let mut depth = 0;
    let mut in_quote = false;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => {
                depth -= 1;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The byte index of the quote closing the string that opens `text`.
fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(at),
            _ => {}
        }
    }
    None
}

/// tail_command = ws0 [ integer ]
pub fn tail_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    if i.fragment().is_empty() {
        return Ok((i, CommandKind::Tail(None)));
    }
    let (rest, n) = integer(i)
        .or_else(|_| fail(i, format!("`tail` expects a number, found {}", describe(i))))?;
    Ok((rest, CommandKind::Tail(Some(n))))
}

/// reverse_command = ws0
pub fn reverse_command(i: In) -> PResult<CommandKind> {
    let (i, _) = ws0(i)?;
    Ok((i, CommandKind::Reverse))
}

/// makeresults_command = ws0 { ( "count=" | "annotate=" ) option_arg }
pub fn makeresults_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut count = None;
    while !i.fragment().is_empty() {
        let (rest, name) =
            option_name(i).or_else(|_| fail(i, format!("unexpected {}", describe(i))))?;
        let rest = match name.text.as_str() {
            "count" => int_arg(rest, &name).map(|(r, n)| {
                count = Some(n);
                r
            })?,
            "annotate" => {
                let (r, b) = bool_arg(rest, &name)?;
                if b {
                    return fail(i, "not supported yet: `annotate=true`");
                }
                r
            }
            _ => return unknown_option(i, "makeresults", &name, "count=, annotate="),
        };
        i = ws0(rest)?.0;
    }
    Ok((i, CommandKind::Makeresults { count }))
}

/// foreach_command = ws0 [ "mode=multifield" ] field_list "[" ws0 "eval" eval_command "]"
pub fn foreach_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut fields = Vec::new();
    while !i.fragment().starts_with('[') {
        if i.fragment().is_empty() {
            return fail(
                i,
                "`foreach` expects a `[eval ...]` template after the fields",
            );
        }
        if let Ok((rest, name)) = option_name(i) {
            let (rest, v) = option_arg(rest)?;
            if name.text != "mode" || !v.text.eq_ignore_ascii_case("multifield") {
                return fail(
                    i,
                    format!("not supported yet: `foreach {}={}`", name.text, v.text),
                );
            }
            i = ws0(rest)?.0;
            continue;
        }
        let (rest, f) = field_arg(i, "`foreach`")?;
        fields.push(f);
        i = list_separator(rest)?.0;
    }
    let text = i.fragment().trim_end();
    if fields.is_empty() || !text.ends_with(']') {
        return fail(
            i,
            "`foreach` expects fields and then `[eval <<FIELD>>=...]`",
        );
    }
    let body_start = i.location_offset() + 1;
    let body = &text[1..text.len() - 1];
    let padded = format!(
        "{}{}",
        " ".repeat(body_start),
        body.replace("<<FIELD>>", FOREACH_FIELD)
            .replace("<<MATCHSTR>>", FOREACH_MATCHSTR)
    );
    let inner = In::new(padded.as_str()).take_from(body_start);
    let parsed = foreach_body(inner).map_err(|e| {
        e.map(|mut p| {
            p.help = p
                .help
                .or(Some("foreach runs one `eval` over each field".to_string()));
            p
        })
    })?;
    Ok((
        i.take_from(text.len()),
        CommandKind::Foreach(ForeachCommand {
            fields,
            body: parsed,
        }),
    ))
}

/// foreach_body = ws0 "eval" eval_command ws0
fn foreach_body(
    i: In,
) -> Result<Vec<crate::spl::ast::Assignment>, nom::Err<crate::spl::lex::PError>> {
    let (rest, _) = ws0(i)?;
    let (rest, _) = keyword_ci("eval").parse(rest).or_else(|_| {
        fail(
            rest,
            "not supported yet: a `foreach` template other than `eval`",
        )
    })?;
    match eval_command(rest)? {
        (rest, CommandKind::Eval(assignments)) if rest.fragment().trim().is_empty() => {
            Ok(assignments)
        }
        (rest, _) => Err(crate::spl::lex::failure(
            rest,
            format!("unexpected {} in the foreach template", describe(rest)),
        )),
    }
}
