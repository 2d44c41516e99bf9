//! Sigma's patterns in SPL's terms: a `Wild` of text and `*` becomes a search glob; `?`, windash
//! classes, `|re`, numeric and field-reference checks become eval tests (`match()`, `tonumber()`)
//! that stay false when the field is missing, as Sigma's are. Only filters that hold Sigma
//! patterns are rewritten, so SPL-born pipelines print unchanged.

use crate::ir::{BinOp, Expr, Func, Lit, NumOp, Pattern, Pipeline, Stage, WildPart};

/// The pipeline with every Sigma-only pattern rewritten into SPL-expressible IR; a filter that
/// needs eval tests is split into its search conjuncts and a `where` over the rest.
pub fn prepare(p: &Pipeline) -> Pipeline {
    let mut stages = Vec::new();
    for stage in &p.stages {
        match stage {
            Stage::Filter(e) if has_sigma(e) => {
                let rewritten = rewrite(e.clone());
                let (search, rest): (Vec<Expr>, Vec<Expr>) = rewritten
                    .operands(BinOp::And)
                    .into_iter()
                    .cloned()
                    .partition(super::is_search);
                if !search.is_empty() {
                    stages.push(Stage::Filter(and_all(search)));
                }
                if !rest.is_empty() {
                    stages.push(Stage::Filter(and_all(rest)));
                }
            }
            Stage::Eval(assigns) if assigns.iter().any(|(_, e)| has_sigma(e)) => {
                stages.push(Stage::Eval(
                    assigns
                        .iter()
                        .map(|(k, e)| (k.clone(), rewrite(e.clone())))
                        .collect(),
                ))
            }
            other => stages.push(other.clone()),
        }
    }
    Pipeline { stages }
}

/// Whether an expression holds a pattern only Sigma writes.
fn has_sigma(e: &Expr) -> bool {
    match e {
        Expr::Match { pattern, .. } => matches!(
            pattern,
            Pattern::Wild { .. }
                | Pattern::Regex(_)
                | Pattern::Number { .. }
                | Pattern::FieldRef { .. }
        ),
        Expr::Not(x) | Expr::Neg(x) => has_sigma(x),
        Expr::Binary(_, l, r) => has_sigma(l) || has_sigma(r),
        Expr::In(x, list) => has_sigma(x) || list.iter().any(has_sigma),
        Expr::Call(_, args) => args.iter().any(has_sigma),
        Expr::Lit(_) | Expr::Field(_) | Expr::Subsearch(_) => false,
    }
}

fn and_all(items: Vec<Expr>) -> Expr {
    let mut iter = items.into_iter();
    let first = iter.next().unwrap_or(Expr::Lit(Lit::Bool(true)));
    iter.fold(first, and)
}

fn and(l: Expr, r: Expr) -> Expr {
    Expr::Binary(BinOp::And, Box::new(l), Box::new(r))
}

fn call(f: Func, args: Vec<Expr>) -> Expr {
    Expr::Call(f, args)
}

fn field(name: &str) -> Expr {
    Expr::Field(name.to_string())
}

fn rewrite(e: Expr) -> Expr {
    match e {
        Expr::Match { field, pattern } => pattern_expr(field, pattern),
        Expr::Not(x) => Expr::Not(Box::new(rewrite(*x))),
        Expr::Neg(x) => Expr::Neg(Box::new(rewrite(*x))),
        Expr::Binary(op, l, r) => Expr::Binary(op, Box::new(rewrite(*l)), Box::new(rewrite(*r))),
        Expr::In(x, list) => Expr::In(
            Box::new(rewrite(*x)),
            list.into_iter().map(rewrite).collect(),
        ),
        Expr::Call(f, args) => Expr::Call(f, args.into_iter().map(rewrite).collect()),
        e @ (Expr::Lit(_) | Expr::Field(_) | Expr::Subsearch(_)) => e,
    }
}

/// One Sigma match as a search glob or a two-valued eval test.
fn pattern_expr(name: String, pattern: Pattern) -> Expr {
    let present = || call(Func::IsNotNull, vec![field(&name)]);
    match pattern {
        Pattern::Wild {
            parts,
            case_sensitive,
        } => match glob(&parts) {
            Some(glob) => Expr::Match {
                field: name,
                pattern: Pattern::Glob {
                    glob,
                    case_sensitive,
                },
            },
            None if name.contains('*') => Expr::Lit(Lit::Bool(false)),
            None => {
                let re = crate::eval::wild::regex_text(&parts, case_sensitive);
                and(present(), regex_call(&name, re))
            }
        },
        Pattern::Regex(_) | Pattern::Number { .. } | Pattern::FieldRef { .. }
            if name.contains('*') =>
        {
            Expr::Lit(Lit::Bool(false))
        }
        Pattern::Regex(re) => and(present(), regex_call(&name, re)),
        Pattern::Number {
            op,
            value,
            part: None,
        } => {
            let num = || call(Func::ToNumber, vec![field(&name)]);
            let test = Expr::Binary(
                numop(op),
                Box::new(num()),
                Box::new(Expr::Lit(Lit::Num(value))),
            );
            and(call(Func::IsNotNull, vec![num()]), test)
        }
        Pattern::FieldRef {
            fields,
            case_sensitive,
        } => {
            let other = call(Func::Coalesce, fields.iter().map(|f| field(f)).collect());
            let fold = |e: Expr| {
                if case_sensitive {
                    e
                } else {
                    call(Func::Lower, vec![e])
                }
            };
            let eq = Expr::Binary(
                BinOp::Eq,
                Box::new(fold(field(&name))),
                Box::new(fold(other.clone())),
            );
            and(and(present(), call(Func::IsNotNull, vec![other])), eq)
        }
        pattern => Expr::Match {
            field: name,
            pattern,
        },
    }
}

fn regex_call(name: &str, re: String) -> Expr {
    call(Func::Match, vec![field(name), Expr::Lit(Lit::Str(re))])
}

/// A Sigma pattern of text and `*` as a search glob; `None` when it needs `?`, a character class
/// or a literal `*` (a search glob cannot escape `*`; a backslash in it is a plain character).
fn glob(parts: &[WildPart]) -> Option<String> {
    let mut out = String::new();
    for part in parts {
        match part {
            WildPart::Text(t) if t.contains('*') => return None,
            WildPart::Text(t) => out.push_str(t),
            WildPart::AnyRun => out.push('*'),
            WildPart::AnyChar | WildPart::OneOf(_) => return None,
        }
    }
    Some(out)
}

fn numop(op: NumOp) -> BinOp {
    match op {
        NumOp::Eq => BinOp::Eq,
        NumOp::Lt => BinOp::Lt,
        NumOp::Le => BinOp::Le,
        NumOp::Gt => BinOp::Gt,
        NumOp::Ge => BinOp::Ge,
        NumOp::Ne => BinOp::Ne,
    }
}
