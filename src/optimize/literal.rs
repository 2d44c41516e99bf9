//! Literals in raw lines: the text a field match needs to find in an event's JSON line, and the
//! lines where looking for it is not enough (Unicode escapes, letters that fold to ASCII).
//! Shared by the `prefilter` (one search) and the `index` (many rules).

use crate::ir::{Pattern, WildPart};

/// The shortest literal worth searching for.
pub const MIN_LITERAL: usize = 3;

/// The literal that a value of `field` matching `pattern` must contain, spelled as the raw JSON
/// line holds it (ASCII case aside); `None` when no literal is safe to require. Fields the line
/// does not hold (`_time`, those in `defaulted`) give none; `_raw` (the line itself, or the
/// value of a `_raw` key) only literals that read the same escaped or not.
pub fn literal(field: &str, pattern: &Pattern, defaulted: &[String]) -> Option<String> {
    let not_from_line = |name: &str| crate::eval::stage::field_matches(field, name);
    if not_from_line("_time") || defaulted.iter().any(|d| not_from_line(d)) {
        return None;
    }
    let text = pattern_literal(pattern)?;
    let usable = text.len() >= MIN_LITERAL
        && text.is_ascii()
        && !text.contains('/')
        && !text.chars().any(|c| c.is_ascii_control())
        && !may_be_number_text(&text);
    if !usable {
        return None;
    }
    if not_from_line("_raw") {
        return (!text.contains(['\\', '"'])).then_some(text);
    }
    let json = serde_json::to_string(&text).ok()?;
    Some(json[1..json.len() - 1].to_string())
}

/// The longest fixed text of a pattern. Search-language globs and terms with a backslash are
/// left out (the search parser gives `\` meanings of its own).
fn pattern_literal(pattern: &Pattern) -> Option<String> {
    match pattern {
        Pattern::Glob { glob, .. } if !glob.contains('\\') => longest(glob.split('*')),
        Pattern::Term { text, .. } if !text.contains('\\') => longest(text.split('*')),
        Pattern::Wild { parts, .. } => longest(parts.iter().filter_map(|p| match p {
            WildPart::Text(t) => Some(t.as_str()),
            WildPart::AnyRun | WildPart::AnyChar | WildPart::OneOf(_) => None,
        })),
        Pattern::Glob { .. }
        | Pattern::Term { .. }
        | Pattern::Exists
        | Pattern::Cidr(_)
        | Pattern::Compare(..)
        | Pattern::Regex(_)
        | Pattern::Number { .. }
        | Pattern::FieldRef { .. } => None,
    }
}

fn longest<'a>(parts: impl Iterator<Item = &'a str>) -> Option<String> {
    parts.max_by_key(|p| p.len()).map(str::to_string)
}

/// Whether `text` could be part of a number as a value prints it (`1e3` in the line reads `1000`).
fn may_be_number_text(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    text.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        || "-inf".contains(&lower)
        || "nan".contains(&lower)
}

/// Characters other than ASCII letters that a case-insensitive match takes for ASCII letters:
/// `İ` lower-cases to `i̇`, the Kelvin sign to `k`, and `ſ` folds to `s` in regexes.
const FOLDS_TO_ASCII: &[char] = &['\u{130}', '\u{17f}', '\u{212a}'];

/// Whether searching `line` for literals (ASCII case-insensitively) finds every one a match of
/// its values needs: false when the line has `\u` escapes or letters that fold to ASCII.
pub fn searchable(line: &str) -> bool {
    (line.is_ascii() || !line.contains(FOLDS_TO_ASCII)) && !has_unicode_escape(line)
}

/// Whether a JSON text has a `\uXXXX` escape (a `\u` after an even run of backslashes).
fn has_unicode_escape(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut at = 0;
    while let Some(i) = line[at..].find('\\') {
        let next = at + i + 1;
        if bytes.get(next) == Some(&b'u') {
            return true;
        }
        at = next + 1;
        if at >= bytes.len() {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wild(text: &str) -> Pattern {
        Pattern::Wild {
            parts: vec![
                WildPart::AnyRun,
                WildPart::Text(text.to_string()),
                WildPart::AnyRun,
            ],
            case_sensitive: false,
        }
    }

    #[test]
    fn literals_are_spelled_as_json_writes_them() {
        assert_eq!(
            literal("Image", &wild(r"\cmd.exe"), &[]).as_deref(),
            Some(r"\\cmd.exe")
        );
        assert_eq!(
            literal("CommandLine", &wild(r#"say "hi""#), &[]).as_deref(),
            Some(r#"say \"hi\""#)
        );
        assert_eq!(literal("_raw", &wild(r"\cmd.exe"), &[]), None);
        assert_eq!(
            literal("_raw", &wild("cmd.exe"), &[]).as_deref(),
            Some("cmd.exe")
        );
        assert_eq!(literal("*", &wild(r"\cmd.exe"), &[]), None);
    }

    #[test]
    fn fields_not_from_the_line_and_number_text_give_no_literal() {
        let source = ["source".to_string()];
        assert_eq!(literal("source", &wild("access.log"), &source), None);
        assert_eq!(literal("sour*", &wild("access.log"), &source), None);
        assert_eq!(literal("_time", &wild("2024"), &[]), None);
        assert_eq!(literal("n", &wild("100.5"), &[]), None);
        assert_eq!(literal("n", &wild("INF"), &[]), None);
        assert_eq!(literal("n", &wild("a/b/c"), &[]), None);
        assert_eq!(literal("n", &wild("ab"), &[]), None);
        assert_eq!(literal("n", &wild("1e5x"), &[]).as_deref(), Some("1e5x"));
    }

    #[test]
    fn only_real_unicode_escapes_make_a_line_unsearchable() {
        assert!(searchable(r#"{"a":"C:\\users\\bob"}"#));
        assert!(!searchable(r#"{"a":"C:\\\users"}"#));
        assert!(!searchable(r#"{"a":"\u0041"}"#));
        assert!(searchable(r#"{"a":"\\"}"#));
        assert!(searchable(r#"{"a":"é"}"#));
        assert!(!searchable("{\"a\":\"\u{212a}ernel32\"}"));
    }

    /// Every non-ASCII character that lower-cases to, or matches case-insensitively, an ASCII
    /// letter is in `FOLDS_TO_ASCII`.
    #[test]
    fn the_characters_that_fold_to_ascii_are_all_known() {
        let letters = regex::Regex::new("(?i)^[a-z]$").unwrap();
        for c in (0x80..=0x10ffff).filter_map(char::from_u32) {
            let lowers_to_ascii = c.to_lowercase().any(|l| l.is_ascii());
            let folds = letters.is_match(&c.to_string());
            if lowers_to_ascii || folds {
                assert!(FOLDS_TO_ASCII.contains(&c), "{c:?} U+{:04X}", c as u32);
            }
        }
    }
}
