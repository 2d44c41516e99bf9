//! A filter expression as a Sigma detection: selections (`field|modifiers: values`) and a
//! condition over their names. Same-field `OR`s become value lists, different-field `AND`s one map.

use crate::ir::{BinOp, CmpOp, Expr, Func, Lit, Pattern};
use serde_yaml::{Mapping, Value as Yaml};

/// Selections built so far, in order.
#[derive(Default)]
pub struct Detection {
    pub selections: Vec<(String, Yaml)>,
}

/// One `field|modifiers: value` item.
#[derive(Clone, PartialEq)]
struct Item {
    key: String,
    values: Vec<Yaml>,
}

impl Detection {
    /// The condition text for `e`, adding its selections; `Err` names what Sigma cannot say.
    pub fn condition(&mut self, e: &Expr) -> Result<String, String> {
        if let Some(items) = map_items(e) {
            return Ok(self.add(items));
        }
        if let Expr::Call(Func::SearchMatch, args) = e {
            if let [search] = args.as_slice() {
                return self.condition(search);
            }
        }
        match e {
            Expr::Binary(op @ (BinOp::And | BinOp::Or), l, r) => {
                let word = if *op == BinOp::And { "and" } else { "or" };
                let left = self.operand(l, *op)?;
                let right = self.operand(r, *op)?;
                Ok(format!("{left} {word} {right}"))
            }
            Expr::Not(inner) => Ok(format!("not {}", self.operand(inner, BinOp::Xor)?)),
            Expr::Lit(Lit::Bool(true)) => Ok(self.add(vec![Item {
                key: "_raw|exists".to_string(),
                values: vec![Yaml::Bool(true)],
            }])),
            other => Err(format!("`{other}`")),
        }
    }

    /// An operand: parenthesised unless it is a selection or the same operator.
    fn operand(&mut self, e: &Expr, parent: BinOp) -> Result<String, String> {
        let text = self.condition(e)?;
        let same = matches!(e, Expr::Binary(op, ..) if *op == parent);
        let simple = !text.contains(' ') || same;
        Ok(if simple { text } else { format!("({text})") })
    }

    fn add(&mut self, items: Vec<Item>) -> String {
        let name = format!("selection_{}", self.selections.len() + 1);
        let mut map = Mapping::new();
        for item in items {
            let value = match item.values.as_slice() {
                [one] => one.clone(),
                _ => Yaml::Sequence(item.values),
            };
            map.insert(Yaml::String(item.key), value);
        }
        self.selections.push((name.clone(), Yaml::Mapping(map)));
        name
    }
}

/// A conjunction of single-field tests on distinct fields: one selection map.
fn map_items(e: &Expr) -> Option<Vec<Item>> {
    if let Some(item) = list_item(e) {
        return Some(vec![item]);
    }
    let Expr::Binary(BinOp::And, l, r) = e else {
        return None;
    };
    let mut items = map_items(l)?;
    for item in map_items(r)? {
        if items
            .iter()
            .any(|i| field_of(&i.key) == field_of(&item.key))
        {
            return None;
        }
        items.push(item);
    }
    Some(items)
}

fn field_of(key: &str) -> &str {
    key.split('|').next().unwrap_or(key)
}

/// A test of one field, or an `OR` of tests of one field with the same modifiers: a value list.
fn list_item(e: &Expr) -> Option<Item> {
    if let Some(item) = leaf(e) {
        return Some(item);
    }
    let Expr::Binary(BinOp::Or, l, r) = e else {
        return None;
    };
    let (mut a, b) = (list_item(l)?, list_item(r)?);
    let single = |i: &Item| !i.key.ends_with("|all");
    (a.key == b.key && single(&a)).then(|| {
        a.values.extend(b.values);
        a
    })
}

/// One field test as a Sigma item.
fn leaf(e: &Expr) -> Option<Item> {
    let item = |key: String, value: Yaml| Item {
        key,
        values: vec![value],
    };
    match e {
        Expr::Match { field, pattern } => match pattern {
            Pattern::Exists => Some(item(format!("{field}|exists"), Yaml::Bool(true))),
            Pattern::Glob {
                glob,
                case_sensitive,
            } => {
                let key = if *case_sensitive {
                    format!("{field}|cased")
                } else {
                    field.clone()
                };
                Some(item(key, Yaml::String(sigma_text(glob))))
            }
            Pattern::Cidr(c) => Some(item(format!("{field}|cidr"), Yaml::String(c.clone()))),
            Pattern::Compare(op, v) => {
                let n: f64 = v.parse().ok()?;
                Some(item(format!("{field}|{}", cmp(*op)), number(n)))
            }
            Pattern::Term { text, .. } => Some(item(
                "_raw|contains".to_string(),
                Yaml::String(sigma_text(text)),
            )),
            Pattern::Regex(re) => Some(item(format!("{field}|re"), Yaml::String(re.clone()))),
            Pattern::Wild { .. } | Pattern::Number { .. } | Pattern::FieldRef { .. } => None,
        },
        Expr::Binary(op, l, r) => eval_compare(*op, l, r),
        Expr::In(l, list) => {
            let Expr::Field(f) = &**l else { return None };
            let values: Option<Vec<Yaml>> = list.iter().map(literal).collect();
            Some(Item {
                key: format!("{f}|cased"),
                values: values?,
            })
        }
        Expr::Call(Func::Match, args) => match args.as_slice() {
            [Expr::Field(f), Expr::Lit(Lit::Str(re))] => {
                Some(item(format!("{f}|re"), Yaml::String(re.clone())))
            }
            _ => None,
        },
        Expr::Call(Func::IsNull, args) => match args.as_slice() {
            [Expr::Field(f)] => Some(item(f.clone(), Yaml::Null)),
            _ => None,
        },
        Expr::Call(Func::IsNotNull, args) => match args.as_slice() {
            [Expr::Field(f)] => Some(item(format!("{f}|exists"), Yaml::Bool(true))),
            _ => None,
        },
        _ => None,
    }
}

/// `where f == "x"` (exact, case-sensitive) or `where f > 5` as an item.
fn eval_compare(op: BinOp, l: &Expr, r: &Expr) -> Option<Item> {
    let Expr::Field(f) = l else { return None };
    let key = match (op, r) {
        (BinOp::Eq, Expr::Lit(Lit::Str(_))) => format!("{f}|cased"),
        (BinOp::Eq, Expr::Lit(Lit::Num(_))) => f.clone(),
        (BinOp::Gt, Expr::Lit(Lit::Num(_))) => format!("{f}|gt"),
        (BinOp::Ge, Expr::Lit(Lit::Num(_))) => format!("{f}|gte"),
        (BinOp::Lt, Expr::Lit(Lit::Num(_))) => format!("{f}|lt"),
        (BinOp::Le, Expr::Lit(Lit::Num(_))) => format!("{f}|lte"),
        _ => return None,
    };
    Some(Item {
        key,
        values: vec![literal(r)?],
    })
}

fn literal(e: &Expr) -> Option<Yaml> {
    match e {
        Expr::Lit(Lit::Str(s)) => Some(Yaml::String(literal_text(s))),
        Expr::Lit(Lit::Num(n)) => Some(number(*n)),
        _ => None,
    }
}

/// Literal text (an eval string) as a Sigma string: `*` and `?` escaped.
fn literal_text(s: &str) -> String {
    sigma_string(s, false)
}

/// A search glob as a Sigma string: `*` stays a wildcard, everything else is literal (a
/// backslash is a plain character in a search glob).
fn sigma_text(glob: &str) -> String {
    sigma_string(glob, true)
}

/// Sigma escaping: `*` (unless a wildcard) and `?` get a backslash; a backslash before `*`, `?`,
/// `\` or at the end is doubled, so it reads back as one.
fn sigma_string(text: &str, star_is_wildcard: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        match c {
            '*' if star_is_wildcard => out.push('*'),
            '*' | '?' => {
                out.push('\\');
                out.push(*c);
            }
            '\\' if matches!(chars.get(i + 1), Some('*' | '?' | '\\') | None) => {
                out.push_str("\\\\")
            }
            c => out.push(*c),
        }
    }
    out
}

fn number(n: f64) -> Yaml {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Yaml::Number((n as i64).into())
    } else {
        Yaml::Number(n.into())
    }
}

fn cmp(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => "lt",
        CmpOp::Le => "lte",
        CmpOp::Gt => "gt",
        CmpOp::Ge => "gte",
    }
}
