//! IR expressions as SQL: search matches two-valued (`COALESCE(test, FALSE)`, so `NOT f=v` holds
//! when `f` is missing), case-insensitive through `lower()`, globs as `LIKE` with escaping,
//! `x{}` fields as arrays (any element may match), numeric comparison through `try_cast`.

use super::{Dialect, Sql};
use crate::ir::{BinOp, CmpOp, Expr, Func, Lit, Pattern};

/// A column reference: `"a"`, or `"a"."b"` for a nested path; `x{}` is the array `x`.
pub fn column(d: Dialect, name: &str) -> String {
    let name = name.trim_end_matches("{}");
    name.split('.')
        .map(|part| ident(d, part))
        .collect::<Vec<_>>()
        .join(".")
}

pub fn ident(d: Dialect, name: &str) -> String {
    match d {
        Dialect::DuckDb => format!("\"{}\"", name.replace('"', "\"\"")),
        Dialect::Spark => format!("`{}`", name.replace('`', "``")),
    }
}

/// A string literal; Spark reads backslash escapes in literals, DuckDB does not.
pub fn string(d: Dialect, s: &str) -> String {
    let s = s.replace('\'', "''");
    match d {
        Dialect::DuckDb => format!("'{s}'"),
        Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\")),
    }
}

fn text_type(d: Dialect) -> &'static str {
    match d {
        Dialect::DuckDb => "VARCHAR",
        Dialect::Spark => "STRING",
    }
}

/// `x` as text. A DuckDB column of mixed JSON types (`25` and `"25"`) has type JSON, whose text
/// keeps the quotes of strings; they are trimmed so both read `25`, as in Splunk.
pub fn as_text(d: Dialect, x: &str) -> String {
    match d {
        Dialect::DuckDb => format!("trim(CAST({x} AS VARCHAR), '\"')"),
        Dialect::Spark => format!("CAST({x} AS {})", text_type(d)),
    }
}

/// `x` as a number, or NULL.
pub fn as_num(x: &str) -> String {
    format!("try_cast({x} AS DOUBLE)")
}

/// A glob as a `LIKE` pattern (`*` → `%`; `%`, `_` and the escape escaped), lower-cased. A
/// backslash in a search glob is a plain character.
fn like(glob: &str, lower: bool) -> String {
    let mut out = String::new();
    for c in glob.chars() {
        match c {
            '*' => out.push('%'),
            '%' | '_' | '!' => {
                out.push('!');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    if lower {
        out.to_lowercase()
    } else {
        out
    }
}

impl Sql {
    /// A boolean condition (search or eval form).
    pub fn cond(&mut self, e: &Expr) -> String {
        self.expr(e)
    }

    pub fn expr(&mut self, e: &Expr) -> String {
        let d = self.dialect;
        match e {
            Expr::Lit(Lit::Null) => "NULL".to_string(),
            Expr::Lit(Lit::Bool(b)) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Expr::Lit(Lit::Num(n)) => format!("{n}"),
            Expr::Lit(Lit::Str(s)) => string(d, s),
            Expr::Field(f) => column(d, f),
            Expr::Not(x) => format!("(NOT {})", self.expr(x)),
            Expr::Neg(x) => format!("(-{})", as_num(&self.expr(x))),
            Expr::Binary(op, l, r) => self.binary(*op, l, r),
            Expr::In(x, list) => {
                let items: Vec<String> = list
                    .iter()
                    .map(|i| match i {
                        Expr::Lit(Lit::Num(n)) => string(d, &format!("{n}")),
                        other => as_text(d, &self.expr(other)),
                    })
                    .collect();
                format!("({} IN ({}))", as_text(d, &self.expr(x)), items.join(", "))
            }
            Expr::Call(f, args) => self.call(*f, args),
            Expr::Match { field, pattern } => self.matches(field, pattern),
            Expr::Subsearch(_) => self.fail("subsearches"),
        }
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr) -> String {
        let d = self.dialect;
        let (a, b) = (self.expr(l), self.expr(r));
        let numeric = matches!(l, Expr::Lit(Lit::Num(_))) || matches!(r, Expr::Lit(Lit::Num(_)));
        let cmp = |sym: &str| {
            if numeric {
                format!("({} {sym} {})", as_num(&a), as_num(&b))
            } else {
                format!("({} {sym} {})", as_text(d, &a), as_text(d, &b))
            }
        };
        match op {
            BinOp::And => format!("({a} AND {b})"),
            BinOp::Or => format!("({a} OR {b})"),
            BinOp::Xor => format!("(({a}) <> ({b}))"),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                format!("({} {} {})", as_num(&a), op.symbol(), as_num(&b))
            }
            BinOp::Concat => format!("({} || {})", as_text(d, &a), as_text(d, &b)),
            BinOp::Eq => cmp("="),
            BinOp::Ne => cmp("<>"),
            BinOp::Lt => cmp("<"),
            BinOp::Le => cmp("<="),
            BinOp::Gt => cmp(">"),
            BinOp::Ge => cmp(">="),
            BinOp::Like => format!("({} LIKE {b})", as_text(d, &a)),
        }
    }

    /// A search-language match: never NULL.
    fn matches(&mut self, field: &str, pattern: &Pattern) -> String {
        let d = self.dialect;
        let array = field.ends_with("{}");
        let col = column(d, field);
        let test = |v: &str| -> String {
            match pattern {
                Pattern::Glob {
                    glob,
                    case_sensitive,
                } if glob.contains('*') => {
                    let (value, pat) = if *case_sensitive {
                        (as_text(d, v), like(glob, false))
                    } else {
                        (format!("lower({})", as_text(d, v)), like(glob, true))
                    };
                    format!("{value} LIKE {} ESCAPE '!'", string(d, &pat))
                }
                Pattern::Glob {
                    glob,
                    case_sensitive,
                } => {
                    let plain = like(glob, false).replace('!', "");
                    if *case_sensitive {
                        format!("{} = {}", as_text(d, v), string(d, &plain))
                    } else {
                        format!(
                            "lower({}) = {}",
                            as_text(d, v),
                            string(d, &plain.to_lowercase())
                        )
                    }
                }
                Pattern::Compare(op, text) => {
                    let sym = match op {
                        CmpOp::Lt => "<",
                        CmpOp::Le => "<=",
                        CmpOp::Gt => ">",
                        CmpOp::Ge => ">=",
                    };
                    match text.parse::<f64>() {
                        Ok(n) => format!(
                            "CASE WHEN {num} IS NOT NULL THEN {num} {sym} {n} ELSE {} {sym} {} END",
                            as_text(d, v),
                            string(d, text),
                            num = as_num(v)
                        ),
                        Err(_) => format!("{} {sym} {}", as_text(d, v), string(d, text)),
                    }
                }
                Pattern::Regex(re) => super::regex_match(d, &as_text(d, v), re),
                _ => "TRUE".to_string(),
            }
        };
        let body = match pattern {
            Pattern::Exists if array => format!("{col} IS NOT NULL AND {} > 0", self.len(&col)),
            Pattern::Exists => format!("{col} IS NOT NULL"),
            Pattern::Glob { .. } | Pattern::Compare(..) | Pattern::Regex(_) if array => {
                self.any(&col, &test("v"))
            }
            Pattern::Glob { .. } | Pattern::Compare(..) | Pattern::Regex(_) => test(&col),
            Pattern::Cidr(_) => return self.fail("CIDR matches"),
            Pattern::Term { .. } => return self.fail("free-text terms (the table has no _raw)"),
            Pattern::Wild { .. } | Pattern::Number { .. } | Pattern::FieldRef { .. } => {
                return self.fail("this Sigma pattern (convert it through SPL first)")
            }
        };
        format!("COALESCE({body}, FALSE)")
    }

    fn len(&self, col: &str) -> String {
        match self.dialect {
            Dialect::DuckDb => format!("len({col})"),
            Dialect::Spark => format!("size({col})"),
        }
    }

    /// Whether any element `v` of the array `col` passes `test`.
    fn any(&self, col: &str, test: &str) -> String {
        match self.dialect {
            Dialect::DuckDb => format!("len(list_filter({col}, v -> {test})) > 0"),
            Dialect::Spark => format!("exists({col}, v -> {test})"),
        }
    }

    fn call(&mut self, f: Func, args: &[Expr]) -> String {
        let d = self.dialect;
        let a: Vec<String> = args.iter().map(|x| self.expr(x)).collect();
        let text = |x: &str| as_text(d, x);
        match (f, a.as_slice()) {
            (Func::If, [cond, then, other, ..]) => {
                format!("(CASE WHEN {cond} THEN {then} ELSE {other} END)")
            }
            (Func::Case, _) => {
                let pairs = a.iter().step_by(2).zip(a.iter().skip(1).step_by(2));
                let arms: Vec<String> = pairs
                    .map(|(cond, value)| format!("WHEN {cond} THEN {value}"))
                    .collect();
                format!("(CASE {} END)", arms.join(" "))
            }
            (Func::IsNull, [x, ..]) => format!("({x} IS NULL)"),
            (Func::IsNotNull, [x, ..]) => format!("({x} IS NOT NULL)"),
            (Func::Coalesce, _) => format!("COALESCE({})", a.join(", ")),
            (Func::Lower, [x, ..]) => format!("lower({})", text(x)),
            (Func::Upper, [x, ..]) => format!("upper({})", text(x)),
            (Func::Len, [x, ..]) => format!("length({})", text(x)),
            (Func::ToNumber, [x, ..]) => as_num(x),
            (Func::ToString, [x, ..]) => text(x),
            (
                Func::Abs | Func::Floor | Func::Ceiling | Func::Sqrt | Func::Ln | Func::Exp,
                [x, ..],
            ) => {
                let name = match f {
                    Func::Abs => "abs",
                    Func::Floor => "floor",
                    Func::Ceiling => "ceil",
                    Func::Sqrt => "sqrt",
                    Func::Ln => "ln",
                    _ => "exp",
                };
                format!("{name}({})", as_num(x))
            }
            (Func::Round, [x, digits]) => format!("round({}, {digits})", as_num(x)),
            (Func::Round, [x, ..]) => format!("round({})", as_num(x)),
            (Func::Match, [x, ..]) => match args.get(1) {
                Some(Expr::Lit(Lit::Str(re))) => super::regex_match(d, &text(x), re),
                _ => self.fail("match() with a computed regex"),
            },
            (Func::Like, [x, pattern, ..]) => format!("({} LIKE {pattern})", text(x)),
            (Func::Substr, [x, start, length]) => {
                format!("substr({}, {start}, {length})", text(x))
            }
            (Func::Substr, [x, start, ..]) => format!("substr({}, {start})", text(x)),
            (Func::Replace, [x, ..]) => match (args.get(1), args.get(2)) {
                (Some(Expr::Lit(Lit::Str(re))), Some(Expr::Lit(Lit::Str(to)))) => {
                    super::regex_replace(d, &text(x), re, to)
                }
                _ => self.fail("replace() with a computed regex"),
            },
            (Func::Min, _) => format!("least({})", a.join(", ")),
            (Func::Max, _) => format!("greatest({})", a.join(", ")),
            (Func::MvCount, [x, ..]) => self.len(x),
            (Func::SearchMatch, [x, ..]) => x.clone(),
            (Func::Null, _) => "NULL".to_string(),
            (Func::True, _) => "TRUE".to_string(),
            (Func::False, _) => "FALSE".to_string(),
            (other, _) => self.fail(&format!("the eval function {}()", other.name())),
        }
    }
}
