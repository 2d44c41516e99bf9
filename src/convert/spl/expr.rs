//! IR expressions as SPL text: the search language (`f=v`, `NOT`, `OR`, implied `AND`) and the
//! eval language (`where`, `eval`), printed so that spelunk's parser reads them back unchanged.

use super::Printer;
use crate::ir::{BinOp, Expr, Func, Lit, Pattern};

/// Whether an expression can be written in the search language.
pub fn is_search(e: &Expr) -> bool {
    match e {
        Expr::Match { field, pattern } => search_pattern(field, pattern),
        Expr::Binary(BinOp::And | BinOp::Or, l, r) => is_search(l) && is_search(r),
        Expr::Not(inner) => is_search(inner),
        Expr::Lit(Lit::Bool(true)) | Expr::Subsearch(_) => true,
        Expr::Lit(_)
        | Expr::Field(_)
        | Expr::Neg(_)
        | Expr::Binary(..)
        | Expr::In(..)
        | Expr::Call(..) => false,
    }
}

/// Whether one field match has a search-language form.
fn search_pattern(field: &str, pattern: &Pattern) -> bool {
    match pattern {
        Pattern::Term { .. } => field == "_raw",
        Pattern::Exists | Pattern::Glob { .. } | Pattern::Cidr(_) | Pattern::Compare(..) => true,
        Pattern::Wild { .. }
        | Pattern::Regex(_)
        | Pattern::Number { .. }
        | Pattern::FieldRef { .. } => false,
    }
}

/// A field name the search grammar reads bare (`search_field`).
fn is_search_field(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || matches!(c, '_' | '@'))
        && chars.all(|c| c.is_alphanumeric() || "_.{}@-*".contains(c))
        && !matches!(name, "AND" | "OR" | "NOT")
}

/// A string literal: `"..."` with `\` and `"` escaped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A field name in a command argument: bare when the grammar allows, else quoted.
pub fn field_arg(name: &str) -> String {
    let mut chars = name.chars();
    let bare = chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || matches!(c, '_' | '@' | '*'))
        && chars.all(|c| c.is_alphanumeric() || "_.{}@*-".contains(c))
        && !matches!(
            name.to_ascii_lowercase().as_str(),
            "as" | "by" | "over" | "output" | "outputnew" | "in" | "with"
        );
    if bare {
        name.to_string()
    } else {
        quote(name)
    }
}

/// A field in an eval expression: bare, or `'quoted'`.
fn eval_field(name: &str) -> String {
    let mut chars = name.chars();
    let bare = chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || matches!(c, '_' | '@'))
        && chars.all(|c| c.is_alphanumeric() || "_{}@".contains(c))
        && !["and", "or", "not", "xor", "like", "in"].contains(&name.to_ascii_lowercase().as_str());
    if bare {
        name.to_string()
    } else {
        format!("'{name}'")
    }
}

/// A number as SPL reads it back to the same value.
pub fn number(n: f64) -> String {
    format!("{n}")
}

impl Printer {
    /// A search expression (`NOT` tightest, then `OR`, then implied `AND`); mixed `AND`/`OR`
    /// always parenthesised.
    pub fn search(&mut self, e: &Expr) -> String {
        match e {
            Expr::Binary(BinOp::And, l, r) => {
                let left = match **l {
                    Expr::Binary(BinOp::And, ..) => self.search(l),
                    _ => self.search_operand(l),
                };
                format!("{left} {}", self.search_operand(r))
            }
            Expr::Binary(BinOp::Or, l, r) => {
                let left = match **l {
                    Expr::Binary(BinOp::Or, ..) => self.search(l),
                    _ => self.search_operand(l),
                };
                format!("{left} OR {}", self.search_operand(r))
            }
            Expr::Not(inner) => format!("NOT {}", self.search_operand(inner)),
            Expr::Match { field, pattern } => self.search_match(field, pattern),
            Expr::Lit(Lit::Bool(true)) => "*".to_string(),
            Expr::Subsearch(p) => format!("[{}]", self.subpipeline(p)),
            Expr::Lit(_)
            | Expr::Field(_)
            | Expr::Neg(_)
            | Expr::Binary(..)
            | Expr::In(..)
            | Expr::Call(..) => format!("searchmatch({})", quote(&self.eval(e))),
        }
    }

    /// An operand of `AND`, `OR` or `NOT`: parenthesised when it is itself `AND` or `OR`.
    fn search_operand(&mut self, e: &Expr) -> String {
        match e {
            Expr::Binary(BinOp::And | BinOp::Or, ..) => format!("({})", self.search(e)),
            _ => self.search(e),
        }
    }

    fn search_match(&mut self, name: &str, pattern: &Pattern) -> String {
        let field = if is_search_field(name) {
            name.to_string()
        } else {
            quote(name)
        };
        match pattern {
            Pattern::Exists => format!("{field}=*"),
            Pattern::Glob {
                glob,
                case_sensitive: false,
            } => format!("{field}={}", quote(glob)),
            Pattern::Glob {
                glob,
                case_sensitive: true,
            } => format!("{field}=CASE({})", quote(glob)),
            Pattern::Cidr(c) => format!("{field}={}", quote(c)),
            Pattern::Compare(op, v) => format!("{field}{}{}", op.symbol(), quote(v)),
            Pattern::Term {
                text,
                case_sensitive: false,
            } => quote(text),
            Pattern::Term {
                text,
                case_sensitive: true,
            } => format!("CASE({})", quote(text)),
            Pattern::Wild { .. }
            | Pattern::Regex(_)
            | Pattern::Number { .. }
            | Pattern::FieldRef { .. } => {
                self.error(format!("the Sigma pattern of `{field}` in a search"));
                "*".to_string()
            }
        }
    }

    /// An eval expression; every operator application is parenthesised.
    pub fn eval(&mut self, e: &Expr) -> String {
        if let Expr::Call(Func::SearchMatch, args) = e {
            if let [search] = args.as_slice() {
                return format!("searchmatch({})", quote(&self.search(search)));
            }
        }
        match e {
            Expr::Lit(l) => lit(l),
            Expr::Field(f) => eval_field(f),
            Expr::Not(inner) => format!("(NOT {})", self.eval(inner)),
            Expr::Neg(inner) => format!("(-{})", self.eval(inner)),
            Expr::Binary(op, l, r) => {
                format!("({} {} {})", self.eval(l), op.symbol(), self.eval(r))
            }
            Expr::In(inner, list) => {
                let items: Vec<String> = list.iter().map(|i| self.eval(i)).collect();
                format!("({} IN ({}))", self.eval(inner), items.join(", "))
            }
            Expr::Call(func, args) => {
                let items: Vec<String> = args.iter().map(|a| self.eval(a)).collect();
                format!("{}({})", func.name(), items.join(", "))
            }
            Expr::Match { .. } | Expr::Subsearch(_) => {
                format!("searchmatch({})", quote(&self.search(e)))
            }
        }
    }
}

fn lit(l: &Lit) -> String {
    match l {
        Lit::Null => "null()".to_string(),
        Lit::Bool(true) => "true()".to_string(),
        Lit::Bool(false) => "false()".to_string(),
        Lit::Num(n) => number(*n),
        Lit::Str(s) => quote(s),
    }
}
