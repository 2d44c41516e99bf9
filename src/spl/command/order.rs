//! `sort`, `head` and `dedup`: commands that depend on or change the order of results.

use crate::spl::ast::{Collation, CommandKind, DedupCommand, HeadCommand, SortCommand, SortKey};
use crate::spl::expr::expr;
use crate::spl::lex::list_separator;
use crate::spl::lex::{
    describe, fail, failure, field_name, integer, keyword_ci, option_value, parse_bool, ws0, ws1,
    In, PResult,
};
use nom::{Input, Parser};

/// sort_command = ws0 [ integer | "limit=" integer ] sort_key { ws0 [","] ws0 sort_key } [ "d" | "desc" ]
pub fn sort_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut limit = None;
    if let Ok((rest, w)) = option_value("limit")(i) {
        limit = Some(
            w.text
                .parse()
                .map_err(|_| failure(i, "`limit=` expects a whole number"))?,
        );
        i = ws0(rest)?.0;
    } else if let Ok((rest, n)) = integer(i) {
        if rest.fragment().is_empty() || rest.fragment().starts_with(char::is_whitespace) {
            limit = Some(n);
            i = ws0(rest)?.0;
        }
    }
    let mut keys = Vec::new();
    let mut reverse = false;
    loop {
        if !keys.is_empty() {
            if let Ok((rest, _)) = keyword_ci("desc")
                .parse(i)
                .or_else(|_| keyword_ci("d").parse(i))
            {
                reverse = true;
                i = rest;
                break;
            }
        }
        let (rest, key) = sort_key(i)?;
        keys.push(key);
        i = list_separator(rest)?.0;
        if i.fragment().is_empty() {
            break;
        }
    }
    Ok((
        i,
        CommandKind::Sort(SortCommand {
            limit,
            keys,
            reverse,
        }),
    ))
}

/// sort_key = [ "+" | "-" ] ws0 ( ("auto"|"num"|"str"|"ip") "(" field ")" | field )
pub fn sort_key(i: In) -> PResult<SortKey> {
    let (i, descending) = match i.fragment().chars().next() {
        Some('-') => (i.take_from(1), true),
        Some('+') => (i.take_from(1), false),
        _ => (i, false),
    };
    let (i, _) = ws0(i)?;
    for (name, collation) in [
        ("auto(", Collation::Auto),
        ("num(", Collation::Num),
        ("str(", Collation::Str),
        ("ip(", Collation::Ip),
    ] {
        if i.fragment().starts_with(name) {
            let (rest, field) = field_name(i.take_from(name.len()))?;
            if !rest.fragment().starts_with(')') {
                return fail(rest, format!("expected `)` to close `{name}`"));
            }
            return Ok((
                rest.take_from(1),
                SortKey {
                    field,
                    descending,
                    collation,
                },
            ));
        }
    }
    let (rest, field) = field_name(i).or_else(|_| {
        fail(
            i,
            format!("`sort` expects a field name, found {}", describe(i)),
        )
    })?;
    Ok((
        rest,
        SortKey {
            field,
            descending,
            collation: Collation::Auto,
        },
    ))
}

/// head_command = ws0 [ integer | "limit=" integer | "(" expr ")" ] { ws1 head_option }
pub fn head_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut head = HeadCommand {
        limit: None,
        while_expr: None,
        keeplast: false,
        null_true: false,
    };
    while !i.fragment().is_empty() {
        if let Ok((rest, w)) = option_value("limit")(i).or_else(|_| option_value("count")(i)) {
            head.limit = Some(
                w.text
                    .parse()
                    .map_err(|_| failure(i, "`limit=` expects a whole number"))?,
            );
            i = rest;
        } else if let Ok((rest, w)) = option_value("keeplast")(i) {
            head.keeplast =
                parse_bool(&w).ok_or_else(|| failure(i, "`keeplast=` expects true or false"))?;
            i = rest;
        } else if let Ok((rest, w)) = option_value("null")(i) {
            head.null_true =
                parse_bool(&w).ok_or_else(|| failure(i, "`null=` expects true or false"))?;
            i = rest;
        } else if let Ok((rest, n)) = integer(i) {
            head.limit = Some(n);
            i = rest;
        } else if i.fragment().starts_with('(') {
            let (rest, e) = expr(i)?;
            head.while_expr = Some(e);
            i = rest;
        } else {
            return fail(
                i,
                format!(
                    "`head` expects a number or `(expression)`, found {}",
                    describe(i)
                ),
            );
        }
        i = ws0(i)?.0;
    }
    Ok((i, CommandKind::Head(head)))
}

/// dedup_command = ws0 [ integer ws1 ] field_or_option { ws0 [","] ws0 field_or_option } [ "sortby" sort_key... ]
pub fn dedup_command(i: In) -> PResult<CommandKind> {
    let (mut i, _) = ws0(i)?;
    let mut dedup = DedupCommand {
        count: 1,
        fields: Vec::new(),
        keepempty: false,
        consecutive: false,
        sortby: Vec::new(),
    };
    if let Ok((rest, (n, _))) = (integer, ws1).parse(i) {
        dedup.count = n.max(1);
        i = rest;
    }
    while !i.fragment().is_empty() {
        if let Ok((rest, _)) = (keyword_ci("sortby"), ws1).parse(i) {
            i = rest;
            loop {
                let (rest, key) = sort_key(i)?;
                dedup.sortby.push(key);
                i = list_separator(rest)?.0;
                if i.fragment().is_empty() {
                    break;
                }
            }
            break;
        }
        let mut matched = false;
        for (name, slot) in [
            ("keepempty", &mut dedup.keepempty),
            ("consecutive", &mut dedup.consecutive),
        ] {
            if let Ok((rest, w)) = option_value(name)(i) {
                *slot = parse_bool(&w)
                    .ok_or_else(|| failure(i, format!("`{name}=` expects true or false")))?;
                i = rest;
                matched = true;
            }
        }
        if !matched {
            if let Ok((rest, w)) = option_value("keepevents")(i) {
                if parse_bool(&w) == Some(true) {
                    return fail(i, "not supported yet: `keepevents=true` in dedup");
                }
                i = rest;
            } else {
                let (rest, field) = field_name(i).or_else(|_| {
                    fail(
                        i,
                        format!("`dedup` expects a field name, found {}", describe(i)),
                    )
                })?;
                dedup.fields.push(field);
                i = rest;
            }
        }
        i = list_separator(i)?.0;
    }
    if dedup.fields.is_empty() {
        return fail(i, "`dedup` expects at least one field name");
    }
    Ok((i, CommandKind::Dedup(dedup)))
}
