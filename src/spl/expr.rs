//! The eval/where expression grammar, by precedence climbing.
//!
//! Operator words (`AND`, `or`, `Not`, `LIKE`, `in`) are case-insensitive in eval, unlike search.
//! Binding, loosest first (Splunk "Boolean expressions with logical operators" and the eval
//! operator table): `XOR`, `OR`, `AND`, `NOT`, comparisons (`= == != <> < <= > >= LIKE IN`),
//! `+ - .`, `* / %`, unary `-`, then literals, fields, calls and parentheses.

use crate::diagnostic::Span;
use crate::spl::ast::{BinaryOp, EvalExpr, EvalKind, UnaryOp};
use crate::spl::lex::{
    backtrack, describe, fail, keyword_ci, number, quoted, ws0, In, PError, PResult,
};
use nom::{Input, Parser};

const MAX_DEPTH: usize = 100;

/// expr = binary(0)
pub fn expr(i: In) -> PResult<EvalExpr> {
    binary(i, 0, 0)
}

/// The binary operators of one precedence level, loosest first.
fn level_ops(level: usize) -> &'static [(&'static str, BinaryOp)] {
    match level {
        0 => &[("XOR", BinaryOp::Xor)],
        1 => &[("OR", BinaryOp::Or)],
        2 => &[("AND", BinaryOp::And)],
        // level 3 is prefix NOT
        4 => &[
            ("==", BinaryOp::Eq),
            ("!=", BinaryOp::Ne),
            ("<>", BinaryOp::Ne),
            ("<=", BinaryOp::Le),
            (">=", BinaryOp::Ge),
            ("=", BinaryOp::Eq),
            ("<", BinaryOp::Lt),
            (">", BinaryOp::Gt),
            ("LIKE", BinaryOp::Like),
        ],
        5 => &[
            ("+", BinaryOp::Add),
            ("-", BinaryOp::Sub),
            (".", BinaryOp::Concat),
        ],
        6 => &[
            ("*", BinaryOp::Mul),
            ("/", BinaryOp::Div),
            ("%", BinaryOp::Mod),
        ],
        _ => &[],
    }
}

const NOT_LEVEL: usize = 3;
const UNARY_LEVEL: usize = 7;

/// binary(level) = operand(level + 1) { op(level) operand(level + 1) }
fn binary(i: In, level: usize, depth: usize) -> PResult<EvalExpr> {
    if depth > MAX_DEPTH {
        return fail(i, too_deep());
    }
    if level == NOT_LEVEL {
        return not_expr(i, depth);
    }
    if level >= UNARY_LEVEL {
        return unary(i, depth);
    }
    let (mut i, mut left) = binary(i, level + 1, depth)?;
    // Each chained operator makes the left-leaning tree one level deeper.
    let mut depth = depth;
    loop {
        let (rest, _) = ws0(i)?;
        if level == 4 {
            if let Ok((after, _)) = (keyword_ci("IN"), ws0).parse(rest) {
                let (after, list) = in_list(after, depth)?;
                let span = left
                    .span
                    .to(Span::new(rest.location_offset(), after.location_offset()));
                left = EvalExpr {
                    kind: EvalKind::In(Box::new(left), list),
                    span,
                };
                i = after;
                continue;
            }
        }
        let Some((after, op)) = operator(rest, level) else {
            break;
        };
        let (after, _) = ws0(after)?;
        if after.fragment().is_empty() {
            return fail(
                after,
                format!("expected an expression after {}", describe(rest)),
            );
        }
        depth += 1;
        if depth > MAX_DEPTH {
            return fail(rest, too_deep());
        }
        let (after, right) = binary(after, level + 1, depth)?;
        let span = left.span.to(right.span);
        left = EvalExpr {
            kind: EvalKind::Binary(op, Box::new(left), Box::new(right)),
            span,
        };
        i = after;
    }
    Ok((i, left))
}

fn operator(i: In, level: usize) -> Option<(In, BinaryOp)> {
    for (text, op) in level_ops(level) {
        let is_word = text.chars().all(|c| c.is_ascii_alphabetic());
        if is_word {
            if let Ok((rest, _)) = keyword_ci(text).parse(i) {
                return Some((rest, *op));
            }
        } else if i.fragment().starts_with(text) {
            return Some((i.take_split(text.len()).0, *op));
        }
    }
    None
}

fn too_deep() -> String {
    format!("expression nested more than {MAX_DEPTH} levels deep (each `(`, `NOT`, unary `-` and chained operator counts)")
}

/// not_expr = "NOT" ws0 not_expr | binary(4)
fn not_expr(i: In, depth: usize) -> PResult<EvalExpr> {
    if depth > MAX_DEPTH {
        return fail(i, too_deep());
    }
    if let Ok((rest, _)) = (keyword_ci("NOT"), ws0).parse(i) {
        let (rest, inner) = not_expr(rest, depth + 1)?;
        let span = Span::new(i.location_offset(), inner.span.end);
        return Ok((
            rest,
            EvalExpr {
                kind: EvalKind::Unary(UnaryOp::Not, Box::new(inner)),
                span,
            },
        ));
    }
    binary(i, NOT_LEVEL + 1, depth)
}

/// unary = "-" ws0 unary | primary
fn unary(i: In, depth: usize) -> PResult<EvalExpr> {
    if depth > MAX_DEPTH {
        return fail(i, too_deep());
    }
    if let Some(rest) = i.fragment().strip_prefix('-') {
        let after = i.take_split(i.fragment().len() - rest.len()).0;
        let (after, _) = ws0(after)?;
        let (after, inner) = unary(after, depth + 1)?;
        let span = Span::new(i.location_offset(), inner.span.end);
        return Ok((
            after,
            EvalExpr {
                kind: EvalKind::Unary(UnaryOp::Neg, Box::new(inner)),
                span,
            },
        ));
    }
    primary(i, depth)
}

/// primary = number | string | "'" field "'" | call | field | "(" expr ")"
fn primary(i: In, depth: usize) -> PResult<EvalExpr> {
    let (i, _) = ws0(i)?;
    let start = i.location_offset();
    let text = i.fragment();
    if text.starts_with('(') {
        let (rest, _) = ws0(i.take_split(1).0)?;
        let (rest, inner) = binary(rest, 0, depth + 1)?;
        let (rest, _) = ws0(rest)?;
        if !rest.fragment().starts_with(')') {
            return Err(nom::Err::Failure(
                PError::new(rest, format!("expected `)`, found {}", describe(rest)))
                    .with_help(format!("the `(` at offset {start} is not closed")),
            ));
        }
        let rest = rest.take_split(1).0;
        return Ok((
            rest,
            EvalExpr {
                span: Span::new(start, rest.location_offset()),
                ..inner
            },
        ));
    }
    if text.starts_with('"') {
        let (rest, w) = quoted(i)?;
        return Ok((
            rest,
            EvalExpr {
                kind: EvalKind::Str(w.text),
                span: w.span,
            },
        ));
    }
    if text.starts_with('\'') {
        let (rest, w) = quoted(i)?;
        return Ok((
            rest,
            EvalExpr {
                kind: EvalKind::Field(w.text),
                span: w.span,
            },
        ));
    }
    if let Ok((rest, (value, taken))) = number(i) {
        let span = Span::new(start, start + taken.fragment().len());
        return Ok((
            rest,
            EvalExpr {
                kind: EvalKind::Num(value),
                span,
            },
        ));
    }
    let (rest, name) = eval_field(i)?;
    let (paren, _) = ws0(rest)?;
    if paren.fragment().starts_with('(') {
        return call(i, paren, name, depth);
    }
    let span = Span::new(start, rest.location_offset());
    Ok((
        rest,
        EvalExpr {
            kind: EvalKind::Field(name.to_string()),
            span,
        },
    ))
}

/// eval_field = ( letter | "_" | "@" ) { letter | digit | "_" | "@" | "{" | "}" }
pub fn eval_field(i: In<'_>) -> PResult<'_, &str> {
    let text = *i.fragment();
    let mut chars = text.char_indices().peekable();
    match chars.peek() {
        Some((_, c)) if c.is_alphabetic() || *c == '_' || *c == '@' => {}
        _ => {
            let message = match text.chars().next() {
                None => "expected an expression, found end of input".to_string(),
                Some(_) => format!("expected an expression, found {}", describe(i)),
            };
            return backtrack(i, message);
        }
    }
    // A `.` ends the name: unquoted, it is the concatenation operator ("If the expression
    // references a field name that contains non-alphanumeric characters, the field name needs to
    // be surrounded by single quotation marks", eval); write 'a.b' for a dotted field.
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '@' | '{' | '}')))
        .map_or(text.len(), |(at, _)| at);
    let (rest, taken) = i.take_split(end);
    Ok((rest, *taken.fragment()))
}

/// call = name "(" ws0 [ expr { ws0 "," ws0 expr } ] ws0 ")"
fn call<'a>(start: In<'a>, after_name: In<'a>, name: &str, depth: usize) -> PResult<'a, EvalExpr> {
    let (mut rest, _) = ws0(after_name.take_split(1).0)?;
    let mut args = Vec::new();
    if rest.fragment().starts_with(')') {
        rest = rest.take_split(1).0;
    } else {
        loop {
            let (r, arg) = binary(rest, 0, depth + 1)?;
            args.push(arg);
            let (r, _) = ws0(r)?;
            if r.fragment().starts_with(',') {
                rest = ws0(r.take_split(1).0)?.0;
                continue;
            }
            if r.fragment().starts_with(')') {
                rest = r.take_split(1).0;
                break;
            }
            return Err(nom::Err::Failure(
                PError::new(
                    r,
                    format!(
                        "expected `,` or `)` in the arguments of `{name}`, found {}",
                        describe(r)
                    ),
                )
                .with_help(format!("close the call `{name}(` with `)`")),
            ));
        }
    }
    let span = Span::new(start.location_offset(), rest.location_offset());
    Ok((
        rest,
        EvalExpr {
            kind: EvalKind::Call(name.to_string(), args),
            span,
        },
    ))
}

/// in_list = "(" ws0 [ expr { ws0 "," ws0 expr } ] ws0 ")"
fn in_list(i: In, depth: usize) -> PResult<Vec<EvalExpr>> {
    if !i.fragment().starts_with('(') {
        return fail(
            i,
            format!("`IN` expects a parenthesised list, found {}", describe(i)),
        );
    }
    let (mut rest, _) = ws0(i.take_split(1).0)?;
    let mut items = Vec::new();
    loop {
        let (r, item) = binary(rest, 0, depth + 1)?;
        items.push(item);
        let (r, _) = ws0(r)?;
        if r.fragment().starts_with(',') {
            rest = ws0(r.take_split(1).0)?.0;
        } else if r.fragment().starts_with(')') {
            return Ok((r.take_split(1).0, items));
        } else {
            return fail(
                r,
                format!(
                    "expected `,` or `)` in the `IN` list, found {}",
                    describe(r)
                ),
            );
        }
    }
}
