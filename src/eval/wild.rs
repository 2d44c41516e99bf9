//! Sigma string patterns (`*`, `?`, windash classes) compiled to the cheapest matcher: equality,
//! contains / starts-with / ends-with, or an anchored regex.

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
        _ => Ok(Matcher::Glob(regex(&regex_text(parts, cased))?)),
    }
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
    let folded;
    let value = if cased {
        value
    } else {
        folded = value.to_lowercase();
        folded.as_str()
    };
    match kind {
        Affix::Contains => value.contains(needle),
        Affix::StartsWith => value.starts_with(needle),
        Affix::EndsWith => value.ends_with(needle),
    }
}
