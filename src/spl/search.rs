//! The search-command grammar: implicit AND, `OR` before `AND`, `NOT`, comparisons, `IN`, terms.
//!
//! Splunk evaluates `NOT` first, then `OR`, then `AND` in the search command
//! ("Boolean expressions with logical operators", Search Manual), so `a OR b c` is `(a OR b) c`.

use crate::spl::ast::{SearchExpr, SearchOp, TermDirective, Word};
use crate::spl::lex::{backtrack, describe, fail, keyword, quoted, word, ws0, ws1, In, PResult};
use nom::bytes::complete::{tag, take_while1};
use nom::{Input, Parser};

const MAX_DEPTH: usize = 100;

/// `search = ws0 [ search_and ] ws0`
pub fn search(i: In) -> PResult<SearchExpr> {
    let (i, _) = ws0(i)?;
    if i.fragment().is_empty() {
        return Ok((i, SearchExpr::All));
    }
    let (i, expr) = search_and(i, 0)?;
    let (i, _) = ws0(i)?;
    if !i.fragment().is_empty() {
        let hint = if i.fragment().starts_with(')') {
            "unbalanced `)`"
        } else {
            "unexpected text"
        };
        return fail(i, format!("{hint} in search: {}", describe(i)));
    }
    Ok((i, expr))
}

/// search_and = search_or { ws1 [ "AND" ws1 ] search_or }
fn search_and(i: In, depth: usize) -> PResult<SearchExpr> {
    let (mut i, first) = search_or(i, depth)?;
    let mut items = vec![first];
    loop {
        let (rest, _) = ws0(i)?;
        if rest.fragment().is_empty() || rest.fragment().starts_with(')') {
            break;
        }
        let rest = match (keyword("AND"), ws0).parse(rest) {
            Ok((after, _)) => after,
            Err(_) => rest,
        };
        let (rest, next) = search_or(rest, depth)?;
        items.push(next);
        i = rest;
    }
    Ok((i, flatten(items, SearchExpr::And)))
}

/// search_or = search_not { ws1 "OR" ws1 search_not }
fn search_or(i: In, depth: usize) -> PResult<SearchExpr> {
    let (mut i, first) = search_not(i, depth)?;
    let mut items = vec![first];
    while let Ok((rest, _)) = (ws0, keyword("OR"), ws0).parse(i) {
        let (rest, next) = search_not(rest, depth)?;
        items.push(next);
        i = rest;
    }
    Ok((i, flatten(items, SearchExpr::Or)))
}

fn flatten(mut items: Vec<SearchExpr>, make: fn(Vec<SearchExpr>) -> SearchExpr) -> SearchExpr {
    if items.len() == 1 {
        items.remove(0)
    } else {
        make(items)
    }
}

/// search_not = "NOT" ws0 search_not | search_atom
fn search_not(i: In, depth: usize) -> PResult<SearchExpr> {
    if depth > MAX_DEPTH {
        return fail(
            i,
            format!("search nested more than {MAX_DEPTH} levels deep"),
        );
    }
    if let Ok((rest, _)) = (keyword("NOT"), ws0).parse(i) {
        if rest.fragment().is_empty() {
            return fail(rest, "`NOT` expects a search term after it");
        }
        let (rest, inner) = search_not(rest, depth + 1)?;
        return Ok((rest, SearchExpr::Not(Box::new(inner))));
    }
    search_atom(i, depth)
}

/// search_atom = "(" ws0 search_and ws0 ")" | comparison | in_list | term
fn search_atom(i: In, depth: usize) -> PResult<SearchExpr> {
    if i.fragment().starts_with('[') {
        let (rest, query) = crate::spl::parse::subsearch(i)?;
        return Ok((rest, SearchExpr::Subsearch(Box::new(query))));
    }
    if let Some(rest) = i.fragment().strip_prefix('(') {
        let open = i;
        let (inner_start, _) = i.take_split(i.fragment().len() - rest.len());
        let (rest, _) = ws0(inner_start)?;
        if rest.fragment().starts_with(')') {
            return fail(rest, "empty parentheses in search");
        }
        let (rest, inner) = search_and(rest, depth + 1)?;
        let (rest, _) = ws0(rest)?;
        return match tag::<_, _, crate::spl::lex::PError>(")").parse(rest) {
            Ok((rest, _)) => Ok((rest, inner)),
            Err(_) => Err(nom::Err::Failure(
                crate::spl::lex::PError::new(open, "unclosed `(` in search")
                    .with_help("add the matching `)`"),
            )),
        };
    }
    for keyword_text in ["AND", "OR"] {
        if keyword(keyword_text).parse(i).is_ok() {
            return fail(
                i,
                format!("`{keyword_text}` needs a search term on each side"),
            );
        }
    }
    if let Ok(found) = comparison(i) {
        return Ok(found);
    }
    term(i)
}

/// comparison = ( field | quoted ) ws0 op ws0 value | field ws1 "IN" ws0 "(" value_list ")"
fn comparison(i: In) -> PResult<SearchExpr> {
    let (rest, field) = if i.fragment().starts_with('"') {
        // `"resources{}.ip"=*`: a quoted field name directly before an operator.
        let (rest, field) = quoted(i)?;
        let next = rest.fragment();
        if !(next.starts_with(['=', '!', '<', '>'])
            || next.starts_with(" IN ")
            || next.starts_with(" IN("))
        {
            return backtrack(i, "a quoted term, not a field");
        }
        (rest, field)
    } else {
        search_field(i)?
    };
    if let Ok((after, _)) = (ws1, keyword("IN"), ws0).parse(rest) {
        let (after, values) = value_list(after)?;
        return Ok((after, SearchExpr::In { field, values }));
    }
    let (rest, _) = ws0(rest)?;
    let (rest, op) = search_op(rest)?;
    let (rest, _) = ws0(rest)?;
    let (rest, (value, directive)) = match directive_value(rest)? {
        (rest, Some(found)) => (rest, found),
        (_, None) => {
            let (rest, value) = search_value(rest)?;
            (rest, (value, TermDirective::Plain))
        }
    };
    Ok((
        rest,
        SearchExpr::Compare {
            field,
            op,
            value,
            directive,
        },
    ))
}

/// search_field = ( letter | "_" | "@" ) { letter | digit | "_" | "." | "{" | "}" | "@" | "-" | "*" }
fn search_field(i: In) -> PResult<Word> {
    let first_ok = i
        .fragment()
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || matches!(c, '_' | '@'));
    if !first_ok {
        return backtrack(i, "expected a field name");
    }
    let (rest, name) =
        take_while1(|c: char| c.is_alphanumeric() || "_.{}@-*".contains(c)).parse(i)?;
    Ok((rest, word(name, false, name.fragment().to_string())))
}

/// search_op = "!=" | "<=" | ">=" | "::" | "=" | "<" | ">"
fn search_op(i: In) -> PResult<SearchOp> {
    let ops = [
        ("!=", SearchOp::Ne),
        ("<=", SearchOp::Le),
        (">=", SearchOp::Ge),
        ("::", SearchOp::Eq),
        ("==", SearchOp::Eq),
        ("=", SearchOp::Eq),
        ("<", SearchOp::Lt),
        (">", SearchOp::Gt),
    ];
    for (text, op) in ops {
        if i.fragment().starts_with(text) {
            return Ok((i.take_split(text.len()).0, op));
        }
    }
    backtrack(i, "expected a comparison operator")
}

/// search_value = quoted | bare_value
fn search_value(i: In) -> PResult<Word> {
    if i.fragment().starts_with('"') {
        return quoted(i);
    }
    let len = bare_len(i.fragment(), false);
    if len == 0 {
        return fail(
            i,
            format!("expected a value after the operator, found {}", describe(i)),
        );
    }
    let (rest, taken) = i.take_split(len);
    Ok((rest, word(taken, false, unescape(taken.fragment()))))
}

/// The length of a bare word: up to whitespace, `)`, or (inside `IN` lists) `,`.
fn bare_len(text: &str, in_list: bool) -> usize {
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            c if c.is_whitespace() => return at,
            ')' | '"' => return at,
            ',' if in_list => return at,
            _ => {}
        }
    }
    text.len()
}

/// `\"` and `\\` in bare words; other escapes stay as written.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(e @ ('"' | '\\')) => out.push(e),
                Some(e) => {
                    out.push('\\');
                    out.push(e);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// value_list = "(" ws0 [ list_value { ws0 [","] ws0 list_value } ] ws0 ")"
fn value_list(i: In) -> PResult<Vec<Word>> {
    let Ok((mut rest, _)) = tag::<_, _, crate::spl::lex::PError>("(").parse(i) else {
        return fail(
            i,
            format!("`IN` expects a parenthesised list, found {}", describe(i)),
        );
    };
    let mut values = Vec::new();
    loop {
        let (r, _) = ws0(rest)?;
        let r = r
            .fragment()
            .strip_prefix(',')
            .map_or(r, |_| r.take_split(1).0);
        let (r, _) = ws0(r)?;
        if let Some(stripped) = r.fragment().strip_prefix(')') {
            let _ = stripped;
            if values.is_empty() {
                return fail(r, "`IN` list is empty");
            }
            return Ok((r.take_split(1).0, values));
        }
        if r.fragment().is_empty() {
            return fail(i, "unclosed `(` in `IN` list");
        }
        let (r, value) = if r.fragment().starts_with('"') {
            quoted(r)?
        } else {
            let len = bare_len(r.fragment(), true);
            if len == 0 {
                return fail(r, format!("unexpected {} in `IN` list", describe(r)));
            }
            let (r2, taken) = r.take_split(len);
            (r2, word(taken, false, unescape(taken.fragment())))
        };
        values.push(value);
        rest = r;
    }
}

/// directive_value = ( "TERM(" | "CASE(" ) ( quoted | bare ) ")"
fn directive_value(i: In) -> PResult<Option<(Word, TermDirective)>> {
    for (name, directive) in [
        ("TERM(", TermDirective::Term),
        ("CASE(", TermDirective::Case),
    ] {
        if i.fragment().starts_with(name) {
            let inner = i.take_split(name.len()).0;
            let (rest, word) = if inner.fragment().starts_with('"') {
                quoted(inner)?
            } else {
                let len = bare_len(inner.fragment(), false);
                let (rest, taken) = inner.take_split(len);
                (rest, word(taken, false, unescape(taken.fragment())))
            };
            let Ok((rest, _)) = tag::<_, _, crate::spl::lex::PError>(")").parse(rest) else {
                return fail(rest, format!("expected `)` to close `{name}`"));
            };
            return Ok((rest, Some((word, directive))));
        }
    }
    Ok((i, None))
}

/// term = quoted | directive_value | bare_word
fn term(i: In) -> PResult<SearchExpr> {
    if i.fragment().starts_with('"') {
        let (rest, word) = quoted(i)?;
        let directive = TermDirective::Plain;
        return Ok((rest, SearchExpr::Term { word, directive }));
    }
    if let (rest, Some((word, directive))) = directive_value(i)? {
        return Ok((rest, SearchExpr::Term { word, directive }));
    }
    let len = bare_len(i.fragment(), false);
    if len == 0 {
        return fail(i, format!("expected a search term, found {}", describe(i)));
    }
    let (rest, taken) = i.take_split(len);
    if *taken.fragment() == "*" {
        return Ok((rest, SearchExpr::All));
    }
    Ok((
        rest,
        SearchExpr::Term {
            word: word(taken, false, unescape(taken.fragment())),
            directive: TermDirective::Plain,
        },
    ))
}
