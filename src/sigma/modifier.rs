//! Sigma value modifiers (v2.1): `field|mod1|mod2` keys are read and checked, and each value is
//! turned into the checks the lowering combines (patterns, `null`, `exists`, field references).

use crate::diagnostic::{codes, Diagnostic};
use crate::ir::{DatePart, NumOp, Pattern, WildPart};
use crate::sigma::rule::{Scalar, Values};
use crate::sigma::string;

/// One value modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    /// `|contains`: `*value*`
    Contains,
    /// `|startswith`: `value*`
    StartsWith,
    /// `|endswith`: `*value`
    EndsWith,
    /// `|all`: every value must match (AND instead of OR)
    All,
    /// `|exists: true`
    Exists,
    /// `|cased`: case-sensitive
    Cased,
    /// `|neq`: the field differs from every value
    Neq,
    /// `|windash`: `-` and `/` (and dashes) interchangeable at the start of flags
    Windash,
    /// `|re`: a regular expression
    Re,
    /// `|re|i`: case-insensitive regex
    ReI,
    /// `|re|m`: multi-line regex
    ReM,
    /// `|re|s`: `.` matches newlines
    ReS,
    /// `|base64`
    Base64,
    /// `|base64offset`
    Base64Offset,
    /// `|utf16le` / `|wide`
    Utf16Le,
    /// `|utf16be`
    Utf16Be,
    /// `|utf16`: with a byte order mark
    Utf16,
    /// `|cidr`
    Cidr,
    /// `|expand`: `%placeholder%` values
    Expand,
    /// `|fieldref`: the value names another field
    FieldRef,
    /// `|lt`, `|lte`, `|gt`, `|gte`
    Compare(NumOp),
    /// `|minute` .. `|year`
    Time(DatePart),
}

/// A detection item's key: the field (none for keywords) and its modifiers in order.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldKey {
    pub field: Option<String>,
    pub modifiers: Vec<Modifier>,
}

/// What one value of a detection item asks of the field.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// a value pattern
    Match(Pattern),
    /// `null`: the field is absent
    Absent,
    /// `|exists: true|false`
    Exists(bool),
    /// `|fieldref: Other`: the name of the other field (resolved by the lowering)
    FieldRef { field: String, cased: bool },
}

/// A detection item ready to lower: its checks, and how they combine.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub field: Option<String>,
    pub checks: Vec<Check>,
    /// `|all`: every check must hold (else any)
    pub all: bool,
    /// `|neq`: the whole item is negated
    pub negate: bool,
}

fn modifier(name: &str) -> Option<Modifier> {
    use Modifier::*;
    Some(match name {
        "contains" => Contains,
        "startswith" => StartsWith,
        "endswith" => EndsWith,
        "all" => All,
        "exists" => Exists,
        "cased" => Cased,
        "neq" => Neq,
        "windash" => Windash,
        "re" => Re,
        "i" => ReI,
        "m" => ReM,
        "s" => ReS,
        "base64" => Base64,
        "base64offset" => Base64Offset,
        "utf16le" | "wide" => Utf16Le,
        "utf16be" => Utf16Be,
        "utf16" => Utf16,
        "cidr" => Cidr,
        "expand" => Expand,
        "fieldref" => FieldRef,
        "lt" => Compare(NumOp::Lt),
        "lte" => Compare(NumOp::Le),
        "gt" => Compare(NumOp::Gt),
        "gte" => Compare(NumOp::Ge),
        "minute" => Time(DatePart::Minute),
        "hour" => Time(DatePart::Hour),
        "day" => Time(DatePart::Day),
        "week" => Time(DatePart::Week),
        "month" => Time(DatePart::Month),
        "year" => Time(DatePart::Year),
        _ => return None,
    })
}

fn error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::SIGMA_MODIFIER, message)
}

/// Reads `field|mod|mod` and checks the modifiers go together.
pub fn parse_key(key: &str) -> Result<FieldKey, Diagnostic> {
    let mut pieces = key.split('|');
    let field = pieces.next().unwrap_or_default().trim();
    let mut modifiers = Vec::new();
    for name in pieces {
        let m = modifier(name).ok_or_else(|| {
            error(format!("unknown modifier `{name}` in `{key}`"))
                .help("Sigma v2.1 modifiers: contains, startswith, endswith, all, exists, cased, neq, windash, re (i, m, s), base64, base64offset, utf16le, utf16be, utf16, wide, cidr, expand, fieldref, lt, lte, gt, gte, minute, hour, day, week, month, year")
        })?;
        modifiers.push(m);
    }
    check_combination(key, &modifiers)?;
    Ok(FieldKey {
        field: (!field.is_empty()).then(|| field.to_string()),
        modifiers,
    })
}

fn check_combination(key: &str, mods: &[Modifier]) -> Result<(), Diagnostic> {
    use Modifier::*;
    let has = |m: Modifier| mods.contains(&m);
    let is_flag = |m: &Modifier| matches!(m, ReI | ReM | ReS);
    if mods.iter().any(is_flag) && !has(Re) {
        return Err(error(format!(
            "`{key}`: the regex flags `i`, `m`, `s` need the `re` modifier"
        )));
    }
    let types = [
        has(Re),
        has(Cidr),
        has(Exists),
        has(FieldRef),
        mods.iter().any(|m| matches!(m, Compare(_) | Time(_))),
    ];
    if types.iter().filter(|t| **t).count() > 1 {
        return Err(error(format!(
            "`{key}`: re, cidr, exists, fieldref and the numeric modifiers cannot be combined"
        )));
    }
    let allowed_with_type = |m: &Modifier| match m {
        All | Neq | Cased | Re | ReI | ReM | ReS | Cidr | Exists | Compare(_) | Time(_) => true,
        FieldRef | Contains | StartsWith | EndsWith => has(FieldRef),
        Windash | Base64 | Base64Offset | Utf16Le | Utf16Be | Utf16 | Expand => false,
    };
    if types.iter().any(|t| *t) {
        if let Some(m) = mods.iter().find(|m| !allowed_with_type(m)) {
            return Err(error(format!(
                "`{key}`: `{m:?}` cannot be combined with the type modifier",
                m = name_of(*m)
            )));
        }
    }
    let compares = mods.iter().filter(|m| matches!(m, Compare(_))).count();
    if compares > 1 {
        return Err(error(format!("`{key}`: only one of lt, lte, gt, gte")));
    }
    Ok(())
}

fn name_of(m: Modifier) -> String {
    format!("{m:?}").to_lowercase()
}

/// A value while string modifiers transform it: pattern parts or encoded bytes.
enum Val {
    Parts(Vec<WildPart>),
    Bytes(Vec<u8>),
}

/// The checks for one detection item.
pub fn item(key: &FieldKey, values: &Values) -> Result<Item, Diagnostic> {
    let has = |m: Modifier| key.modifiers.contains(&m);
    let mut checks = Vec::new();
    for value in &values.items {
        checks.extend(value_checks(key, value)?);
    }
    if checks.is_empty() {
        return Err(Diagnostic::error(
            codes::SIGMA_DETECTION,
            "an empty list of values matches nothing",
        ));
    }
    Ok(Item {
        field: key.field.clone(),
        checks,
        all: has(Modifier::All),
        negate: has(Modifier::Neq),
    })
}

/// The checks one value expands to (several for `base64offset` and similar).
fn value_checks(key: &FieldKey, value: &Scalar) -> Result<Vec<Check>, Diagnostic> {
    use Modifier::*;
    let mods = &key.modifiers;
    let has = |m: Modifier| mods.contains(&m);
    let cased = has(Cased);
    if has(Exists) {
        return match value {
            Scalar::Bool(b) => Ok(vec![Check::Exists(*b)]),
            other => Err(error(format!(
                "`exists` takes true or false, found `{}`",
                other.text()
            ))),
        };
    }
    if *value == Scalar::Null {
        return Ok(vec![Check::Absent]);
    }
    let text = value.text();
    if has(Re) {
        return Ok(vec![Check::Match(Pattern::Regex(regex_text(mods, &text)))]);
    }
    if has(Cidr) {
        return cidr(&text).map(|c| vec![Check::Match(c)]);
    }
    if has(FieldRef) {
        return Ok(vec![Check::FieldRef { field: text, cased }]);
    }
    if let Some(check) = number(mods, value)? {
        return Ok(vec![check]);
    }
    if has(Expand) {
        if let Some(name) = string::placeholders(&text).first() {
            return Err(Diagnostic::error(
                codes::SIGMA_PLACEHOLDER,
                format!("unresolved placeholder `%{name}%` (`|expand`)"),
            )
            .help(
                "placeholders need values from a processing pipeline; none is given for this one",
            ));
        }
    }
    let start = match value {
        Scalar::Str(s) => string::parse(&s.replace("\\%", "%")),
        other => vec![WildPart::Text(other.text())],
    };
    let mut vals = vec![Val::Parts(start)];
    for m in mods {
        vals = transform(*m, vals)?;
    }
    vals.into_iter()
        .map(|v| {
            let parts = match v {
                Val::Parts(p) => p,
                Val::Bytes(b) => vec![WildPart::Text(bytes_text(b)?)],
            };
            Ok(Check::Match(Pattern::Wild {
                parts,
                case_sensitive: cased,
            }))
        })
        .collect()
}

/// Applies one string modifier to every value (type modifiers pass values through).
fn transform(m: Modifier, vals: Vec<Val>) -> Result<Vec<Val>, Diagnostic> {
    use Modifier::*;
    let mut out = Vec::with_capacity(vals.len());
    for v in vals {
        match (m, v) {
            (Contains, v) => out.push(Val::Parts(string::wrap(parts(v)?, true, true))),
            (StartsWith, v) => out.push(Val::Parts(string::wrap(parts(v)?, false, true))),
            (EndsWith, v) => out.push(Val::Parts(string::wrap(parts(v)?, true, false))),
            (Windash, v) => out.push(Val::Parts(string::windash(parts(v)?))),
            (Utf16Le | Utf16Be | Utf16, v) => {
                let text = plain(v, m)?;
                out.push(Val::Bytes(match m {
                    Utf16Be => string::utf16be(&text),
                    Utf16 => string::utf16(&text),
                    _ => string::utf16le(&text),
                }));
            }
            (Base64, v) => {
                let b64 = string::base64(&bytes(v, m)?);
                out.push(Val::Parts(vec![WildPart::Text(b64)]));
            }
            (Base64Offset, v) => {
                for b64 in string::base64_offsets(&bytes(v, m)?) {
                    out.push(Val::Parts(vec![WildPart::Text(b64)]));
                }
            }
            (_, v) => out.push(v),
        }
    }
    Ok(out)
}

fn parts(v: Val) -> Result<Vec<WildPart>, Diagnostic> {
    match v {
        Val::Parts(p) => Ok(p),
        Val::Bytes(b) => Ok(vec![WildPart::Text(bytes_text(b)?)]),
    }
}

fn bytes_text(b: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(b).map_err(|_| {
        error("an encoded value is not text; follow utf16 modifiers with base64 or base64offset")
    })
}

/// The plain text of a value for an encoding; wildcards cannot be encoded.
fn plain(v: Val, m: Modifier) -> Result<String, Diagnostic> {
    match v {
        Val::Parts(p) if !string::has_wildcards(&p) => Ok(string::plain_text(&p)),
        Val::Parts(_) => Err(error(format!(
            "`{}` cannot encode a value with wildcards; put contains/startswith/endswith after it",
            name_of(m)
        ))),
        Val::Bytes(b) => bytes_text(b),
    }
}

fn bytes(v: Val, m: Modifier) -> Result<Vec<u8>, Diagnostic> {
    match v {
        Val::Bytes(b) => Ok(b),
        other => plain(other, m).map(String::into_bytes),
    }
}

/// The regex with its `i`/`m`/`s` flags written inline.
fn regex_text(mods: &[Modifier], text: &str) -> String {
    let flags: String = mods
        .iter()
        .filter_map(|m| match m {
            Modifier::ReI => Some('i'),
            Modifier::ReM => Some('m'),
            Modifier::ReS => Some('s'),
            _ => None,
        })
        .collect();
    if flags.is_empty() {
        text.to_string()
    } else {
        format!("(?{flags}){text}")
    }
}

fn cidr(text: &str) -> Result<Pattern, Diagnostic> {
    let (ip, bits) = text.split_once('/').unwrap_or((text, ""));
    let ip: Result<std::net::IpAddr, _> = ip.parse();
    let max = match ip {
        Ok(std::net::IpAddr::V4(_)) => 32,
        Ok(std::net::IpAddr::V6(_)) => 128,
        Err(_) => {
            return Err(error(format!(
                "`cidr` expects a network such as 10.0.0.0/8, found `{text}`"
            )))
        }
    };
    match bits.parse::<u8>() {
        Ok(b) if b <= max => Ok(Pattern::Cidr(text.to_string())),
        _ if bits.is_empty() => Ok(Pattern::Cidr(format!("{text}/{max}"))),
        _ => Err(error(format!("`cidr`: invalid prefix length in `{text}`"))),
    }
}

/// `|lt`.. and the time modifiers: a number check, or `None` when the modifiers ask for none.
fn number(mods: &[Modifier], value: &Scalar) -> Result<Option<Check>, Diagnostic> {
    let op = mods.iter().find_map(|m| match m {
        Modifier::Compare(op) => Some(*op),
        _ => None,
    });
    let part = mods.iter().find_map(|m| match m {
        Modifier::Time(p) => Some(*p),
        _ => None,
    });
    if op.is_none() && part.is_none() {
        return Ok(None);
    }
    let text = value.text();
    let n: f64 = match value {
        Scalar::Num(_) | Scalar::Str(_) => text
            .trim()
            .parse()
            .map_err(|_| error(format!("a numeric modifier needs a number, found `{text}`")))?,
        Scalar::Null | Scalar::Bool(_) => {
            return Err(error(format!(
                "a numeric modifier needs a number, found `{text}`"
            )))
        }
    };
    Ok(Some(Check::Match(Pattern::Number {
        op: op.unwrap_or(NumOp::Eq),
        value: n,
        part,
    })))
}
