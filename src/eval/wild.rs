//! Sigma string patterns (`*`, `?`, windash classes) compiled to the cheapest matcher: equality,
//! contains / starts-with / ends-with, or an anchored regex (matched directly on ASCII values).

use crate::diagnostic::Diagnostic;
use crate::eval::compile::{regex, Affix, Matcher};
use crate::ir::WildPart;

/// The matcher for a Sigma pattern.
pub fn matcher(parts: &[WildPart], cased: bool) -> Result<Matcher, Diagnostic> {
    let fold = |t: &str| {
        if cased {
            t.to_string()
        } else {
            t.to_lowercase()
        }
    };
    match parts {
        [] => Ok(exact(String::new(), cased)),
        [WildPart::Text(t)] => Ok(exact(fold(t), cased)),
        [WildPart::AnyRun] => Ok(Matcher::Exists),
        [WildPart::AnyRun, WildPart::Text(t), WildPart::AnyRun] => {
            Ok(affix(Affix::Contains, fold(t), cased))
        }
        [WildPart::Text(t), WildPart::AnyRun] => Ok(affix(Affix::StartsWith, fold(t), cased)),
        [WildPart::AnyRun, WildPart::Text(t)] => Ok(affix(Affix::EndsWith, fold(t), cased)),
        _ => Ok(Matcher::Parts(Box::new(Parts::new(parts, cased)?))),
    }
}

/// A pattern with `?` or character classes: an anchored regex, and for ASCII values (when the
/// pattern's text is ASCII, so case folding is ASCII folding there) the same match done on the
/// pattern's steps directly.
#[derive(Debug, Clone)]
pub struct Parts {
    regex: regex::Regex,
    /// `None` when only the regex will do.
    steps: Option<Vec<Step>>,
    cased: bool,
}

/// One step of a pattern: a character to match (folded unless cased), or a run of any.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Byte(u8),
    Any,
    /// The ASCII characters of a class (the others never match an ASCII value).
    OneOf(Vec<u8>),
    Run,
}

impl Parts {
    fn new(parts: &[WildPart], cased: bool) -> Result<Parts, Diagnostic> {
        let fold = |b: u8| if cased { b } else { b.to_ascii_lowercase() };
        let mut steps = Some(Vec::new());
        for part in parts {
            let ascii = match part {
                WildPart::Text(t) => t.is_ascii(),
                WildPart::OneOf(set) => set.chars().all(|c| c.is_ascii() || !c.is_alphabetic()),
                WildPart::AnyRun | WildPart::AnyChar => true,
            };
            let (Some(out), true) = (steps.as_mut(), ascii) else {
                steps = None;
                continue;
            };
            match part {
                WildPart::Text(t) => out.extend(t.bytes().map(|b| Step::Byte(fold(b)))),
                WildPart::AnyChar => out.push(Step::Any),
                WildPart::AnyRun => out.push(Step::Run),
                WildPart::OneOf(set) => out.push(Step::OneOf(
                    set.bytes().filter(u8::is_ascii).map(fold).collect(),
                )),
            }
        }
        Ok(Parts {
            regex: regex(&regex_text(parts, cased))?,
            steps,
            cased,
        })
    }

    pub fn is_match(&self, value: &str) -> bool {
        match &self.steps {
            Some(steps) if value.is_ascii() => glob(steps, value.as_bytes(), self.cased),
            _ => self.regex.is_match(value),
        }
    }
}

/// Whether the ASCII `value` matches all the steps (the classic wildcard walk: on a mismatch,
/// the last run takes one more character).
fn glob(steps: &[Step], value: &[u8], cased: bool) -> bool {
    let fold = |b: u8| if cased { b } else { b.to_ascii_lowercase() };
    let one = |step: &Step, b: u8| match step {
        Step::Byte(c) => fold(b) == *c,
        Step::Any => true,
        Step::OneOf(set) => set.contains(&fold(b)),
        Step::Run => false,
    };
    let (mut p, mut v) = (0, 0);
    let mut run: Option<(usize, usize)> = None;
    while v < value.len() {
        match steps.get(p) {
            Some(Step::Run) => {
                run = Some((p, v));
                p += 1;
            }
            Some(step) if value.get(v).is_some_and(|b| one(step, *b)) => {
                p += 1;
                v += 1;
            }
            _ => match run {
                Some((rp, rv)) => {
                    run = Some((rp, rv + 1));
                    p = rp + 1;
                    v = rv + 1;
                }
                None => return false,
            },
        }
    }
    steps.iter().skip(p).all(|s| *s == Step::Run)
}

/// Calls `f` with `text` lower-cased (as `str::to_lowercase` does), without allocating for
/// short ASCII text.
pub fn with_lower<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    const SHORT: usize = 256;
    if text.is_ascii() && text.len() <= SHORT {
        let mut buf = [0u8; SHORT];
        let Some(lower) = buf.get_mut(..text.len()) else {
            return f(&text.to_lowercase());
        };
        lower.copy_from_slice(text.as_bytes());
        lower.make_ascii_lowercase();
        if let Ok(lower) = std::str::from_utf8(lower) {
            return f(lower);
        }
    }
    f(&text.to_lowercase())
}

fn exact(text: String, cased: bool) -> Matcher {
    if cased {
        Matcher::ExactCased(text)
    } else {
        Matcher::Exact(text)
    }
}

fn affix(kind: Affix, needle: String, cased: bool) -> Matcher {
    Matcher::Affix {
        kind,
        needle,
        cased,
    }
}

/// The pattern as an anchored regex; `.` matches newlines too.
pub fn regex_text(parts: &[WildPart], cased: bool) -> String {
    let mut re = String::from(if cased { "(?s)^" } else { "(?si)^" });
    for part in parts {
        match part {
            WildPart::Text(t) => re.push_str(&regex::escape(t)),
            WildPart::AnyRun => re.push_str(".*"),
            WildPart::AnyChar => re.push('.'),
            WildPart::OneOf(set) => {
                re.push('[');
                for c in set.chars() {
                    re.push_str(&regex::escape(&c.to_string()));
                }
                re.push(']');
            }
        }
    }
    re.push('$');
    re
}

/// Whether `value` matches `needle` at the place `kind` says (`needle` already folded).
pub fn affix_match(value: &str, kind: Affix, needle: &str, cased: bool) -> bool {
    let at = |value: &str| match kind {
        Affix::Contains => value.contains(needle),
        Affix::StartsWith => value.starts_with(needle),
        Affix::EndsWith => value.ends_with(needle),
    };
    if cased {
        at(value)
    } else {
        with_lower(value, at)
    }
}
