//! The Sigma condition grammar (`grammar/sigma-condition.ebnf`): `or` < `and` < `not` <
//! `1 of`/`all of` < parentheses, over search identifiers. One function per production.

use crate::diagnostic::{codes, Diagnostic, Span};
use crate::spl::lex::{fail, span_between, ws0, In, PError, PResult};
use nom::bytes::complete::{tag, tag_no_case, take_while1};
use nom::Parser;
use serde::Serialize;

const MAX_DEPTH: usize = 100;

/// A parsed condition with its place in the condition text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub kind: CondKind,
    pub span: Span,
}

/// The shapes of a condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CondKind {
    /// `selection`
    Ident(String),
    /// `1 of selection_*`, `any of them`
    OneOf(Target),
    /// `all of filter_*`, `all of them`
    AllOf(Target),
    /// `not x`
    Not(Box<Condition>),
    /// `a and b and c`
    And(Vec<Condition>),
    /// `a or b or c`
    Or(Vec<Condition>),
}

/// What `1 of` / `all of` ranges over.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Target {
    /// `them`: every search identifier not starting with `_`
    Them,
    /// `selection_*`: the identifiers this pattern (with `*` wildcards) matches
    Pattern(String),
}

/// Parses one condition string.
pub fn parse(text: &str) -> Result<Condition, Diagnostic> {
    match condition(In::new(text)) {
        Ok((_, c)) => Ok(c),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(to_diagnostic(e)),
        Err(nom::Err::Incomplete(_)) => Err(Diagnostic::error(
            codes::SIGMA_CONDITION,
            "the condition ends too early",
        )),
    }
}

fn to_diagnostic(e: PError) -> Diagnostic {
    let d = Diagnostic::error(codes::SIGMA_CONDITION, e.message.clone()).at(e.span());
    match e.help {
        Some(h) => d.help(h),
        None => d,
    }
}

/// condition = ws0 or_expr ws0
fn condition(i: In) -> PResult<Condition> {
    let (i, _) = ws0(i)?;
    if i.fragment().is_empty() {
        return fail(i, "the condition is empty");
    }
    let (i, c) = or_expr(i, 0)?;
    let (i, _) = ws0(i)?;
    if i.fragment().starts_with('|') {
        return Err(nom::Err::Failure(
            PError::new(
                i,
                "not supported yet: aggregations in the condition (`| count() ...`)",
            )
            .with_help("Sigma 2 expresses this as a correlation rule"),
        ));
    }
    if !i.fragment().is_empty() {
        return fail(i, format!("unexpected `{}` in the condition", token(i)));
    }
    Ok((i, c))
}

/// or_expr = and_expr { "or" and_expr }
fn or_expr(i: In, depth: usize) -> PResult<Condition> {
    binary(i, depth, "or", and_expr, CondKind::Or)
}

/// and_expr = not_expr { "and" not_expr }
fn and_expr(i: In, depth: usize) -> PResult<Condition> {
    binary(i, depth, "and", not_expr, CondKind::And)
}

/// A left-associative chain of one operator, flattened.
fn binary<'a>(
    i: In<'a>,
    depth: usize,
    op: &'static str,
    operand: fn(In<'a>, usize) -> PResult<'a, Condition>,
    make: fn(Vec<Condition>) -> CondKind,
) -> PResult<'a, Condition> {
    let start = i;
    let (mut i, first) = operand(i, depth)?;
    let mut items = vec![first];
    while let Ok((rest, _)) = (ws0, word(op)).parse(i) {
        let (rest, next) = operand(rest, depth)?;
        items.push(next);
        i = rest;
    }
    if items.len() == 1 {
        return Ok((i, items.remove(0)));
    }
    let span = span_between(start, i);
    Ok((
        i,
        Condition {
            kind: make(items),
            span,
        },
    ))
}

/// not_expr = "not" not_expr | quantified | primary
fn not_expr(i: In, depth: usize) -> PResult<Condition> {
    if depth > MAX_DEPTH {
        return fail(
            i,
            format!("condition nested more than {MAX_DEPTH} levels deep"),
        );
    }
    let (i, _) = ws0(i)?;
    let start = i;
    if let Ok((rest, _)) = word("not").parse(i) {
        let (rest, inner) = not_expr(rest, depth + 1)?;
        let span = span_between(start, rest);
        return Ok((
            rest,
            Condition {
                kind: CondKind::Not(Box::new(inner)),
                span,
            },
        ));
    }
    if let Ok(done) = quantified(i) {
        return Ok(done);
    }
    primary(i, depth)
}

/// quantified = ( "1" | "any" | "all" ) "of" ( "them" | identifier )
fn quantified(i: In) -> PResult<Condition> {
    let start = i;
    let (i, q) = word("1").or(word("any")).or(word("all")).parse(i)?;
    let (i, _) = (ws0, word("of"), ws0).parse(i)?;
    let (i, target) = match word("them").parse(i) {
        Ok((rest, _)) => (rest, Target::Them),
        Err(_) => match identifier(i) {
            Ok((rest, name)) => (rest, Target::Pattern(name.fragment().to_string())),
            Err(_) => return fail(i, "`of` expects `them` or a search-identifier pattern"),
        },
    };
    let kind = if q.fragment().eq_ignore_ascii_case("all") {
        CondKind::AllOf(target)
    } else {
        CondKind::OneOf(target)
    };
    let span = span_between(start, i);
    Ok((i, Condition { kind, span }))
}

/// primary = "(" or_expr ")" | identifier
fn primary(i: In, depth: usize) -> PResult<Condition> {
    if let Ok((rest, _)) = tag::<_, _, PError>("(").parse(i) {
        let (rest, inner) = or_expr(rest, depth + 1)?;
        let (rest, _) = ws0(rest)?;
        return match tag::<_, _, PError>(")").parse(rest) {
            Ok((rest, _)) => Ok((rest, inner)),
            Err(_) => Err(nom::Err::Failure(
                PError::new(rest, format!("expected `)`, found {}", describe(rest)))
                    .with_help("every `(` needs a matching `)`"),
            )),
        };
    }
    match identifier(i) {
        Ok((rest, name)) if !is_keyword(name.fragment()) => {
            let span = span_between(i, rest);
            Ok((
                rest,
                Condition {
                    kind: CondKind::Ident(name.fragment().to_string()),
                    span,
                },
            ))
        }
        _ => fail(
            i,
            format!("expected a search identifier, found {}", describe(i)),
        ),
    }
}

/// identifier = ident_char { ident_char }
fn identifier(i: In) -> PResult<In> {
    take_while1(is_ident_char).parse(i)
}

/// ident_char = letter | digit | "_" | "-" | "." | "*"
fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '*')
}

fn is_keyword(name: &str) -> bool {
    ["and", "or", "not", "of"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(name))
}

/// A keyword in any case, not followed by an identifier character.
fn word<'a>(w: &'static str) -> impl Parser<In<'a>, Output = In<'a>, Error = PError> {
    move |i: In<'a>| {
        let (rest, k) = tag_no_case(w).parse(i)?;
        match rest.fragment().chars().next() {
            Some(c) if is_ident_char(c) => {
                Err(nom::Err::Error(PError::new(i, format!("expected `{w}`"))))
            }
            _ => Ok((rest, k)),
        }
    }
}

fn token(i: In) -> String {
    i.fragment()
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(20)
        .collect()
}

fn describe(i: In) -> String {
    if i.fragment().is_empty() {
        "the end of the condition".to_string()
    } else {
        format!("`{}`", token(i))
    }
}

/// Whether a `1 of` pattern (with `*` wildcards) matches a search identifier.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    let Some(mut tail) = name.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return tail.is_empty();
    };
    for part in middle {
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(c: &Condition) -> String {
        match &c.kind {
            CondKind::Ident(n) => n.clone(),
            CondKind::OneOf(Target::Them) => "1of(them)".into(),
            CondKind::OneOf(Target::Pattern(p)) => format!("1of({p})"),
            CondKind::AllOf(Target::Them) => "allof(them)".into(),
            CondKind::AllOf(Target::Pattern(p)) => format!("allof({p})"),
            CondKind::Not(x) => format!("not({})", show(x)),
            CondKind::And(xs) => {
                format!("and({})", xs.iter().map(show).collect::<Vec<_>>().join(","))
            }
            CondKind::Or(xs) => {
                format!("or({})", xs.iter().map(show).collect::<Vec<_>>().join(","))
            }
        }
    }

    fn p(text: &str) -> String {
        parse(text)
            .map(|c| show(&c))
            .unwrap_or_else(|d| format!("ERR {}", d.message))
    }

    #[test]
    fn precedence_or_and_not_of() {
        assert_eq!(p("a or b and not c"), "or(a,and(b,not(c)))");
        assert_eq!(p("not a and b"), "and(not(a),b)");
        assert_eq!(p("(a or b) and c"), "and(or(a,b),c)");
        assert_eq!(
            p("1 of sel_* and not all of filter*"),
            "and(1of(sel_*),not(allof(filter*)))"
        );
        assert_eq!(p("any of them"), "1of(them)");
        assert_eq!(p("selection and(keywords)"), "and(selection,keywords)");
        assert_eq!(p("  sel-1.x  "), "sel-1.x");
        assert_eq!(p("a AND NOT b"), "and(a,not(b))");
    }

    #[test]
    fn errors_are_clear() {
        assert!(p("a and").contains("expected a search identifier"));
        assert!(p("(a or b").contains("expected `)`"));
        assert!(p("a b").contains("unexpected `b`"));
        assert!(p("sel | count() > 5").contains("not supported yet"));
        assert!(p("").contains("empty"));
        let deep = format!("{}a{}", "(".repeat(200), ")".repeat(200));
        assert!(p(&deep).contains("nested"));
    }

    #[test]
    fn of_patterns() {
        assert!(pattern_matches("selection_*", "selection_img"));
        assert!(pattern_matches("sel*", "sel"));
        assert!(!pattern_matches("sel*", "filter"));
        assert!(pattern_matches("*_main_*", "filter_main_x"));
        assert!(pattern_matches("exact", "exact"));
        assert!(!pattern_matches("a*b*b", "ab"));
    }
}
