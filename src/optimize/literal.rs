//! Literals in raw lines: the text a field match needs to find in an event's JSON line, and the
//! lines where looking for it is not enough (Unicode escapes, letters that fold to ASCII).
//! Shared by the `prefilter` (one search) and the `index` (many rules).

use crate::ir::{Pattern, WildPart};

/// The shortest literal worth searching for.
pub const MIN_LITERAL: usize = 2;

/// Literals of which a value of `field` matching `pattern` must contain one, spelled as the raw
/// JSON line holds them (ASCII case aside); `None` when none is safe to require. Fields the line
/// does not hold (`_time`, those in `defaulted`) give none; for `_raw` (the line itself, or the
/// value of a `_raw` key) only text that reads the same escaped or not.
pub fn literal(field: &str, pattern: &Pattern, defaulted: &[String]) -> Option<Vec<String>> {
    let texts = value_literals(field, pattern, defaulted)?;
    if texts.iter().any(|t| !t.in_line) {
        return None;
    }
    let mut out: Vec<String> = texts.iter().map(|t| line_spelling(&t.text)).collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// A text a matching value holds, as the value reads (unescaped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueText {
    pub text: String,
    /// Whether the raw line holds it too, as [`line_spelling`] spells it: not for a text that
    /// could be part of a number (`123` of `1.23e2`), which the line may spell otherwise.
    pub in_line: bool,
}

/// Texts of which a value of `field` matching `pattern` must contain one, for a search in the
/// field's values once parsed ([`literal`]'s, and those the raw line may spell otherwise).
pub fn value_literals(
    field: &str,
    pattern: &Pattern,
    defaulted: &[String],
) -> Option<Vec<ValueText>> {
    let covers = |name: &str| crate::eval::stage::field_matches(field, name);
    if covers("_time") || defaulted.iter().any(|d| covers(d)) {
        return None;
    }
    let raw = covers("_raw");
    match pattern {
        Pattern::Glob { glob, .. } if !glob.contains('\\') => {
            piece(glob.split('*'), raw).map(|p| vec![p])
        }
        Pattern::Term { text, .. } if !text.contains('\\') => {
            piece(text.split('*'), raw).map(|p| vec![p])
        }
        Pattern::Wild { parts, .. } => piece(
            parts.iter().filter_map(|p| match p {
                WildPart::Text(t) => Some(t.as_str()),
                WildPart::AnyRun | WildPart::AnyChar | WildPart::OneOf(_) => None,
            }),
            raw,
        )
        .map(|p| vec![p]),
        Pattern::Regex(re) => regex_literals(re, raw),
        Pattern::Glob { .. }
        | Pattern::Term { .. }
        | Pattern::Exists
        | Pattern::Cidr(_)
        | Pattern::Compare(..)
        | Pattern::Number { .. }
        | Pattern::FieldRef { .. } => None,
    }
}

/// How a JSON line spells a piece of text that [`value_literals`] gives (inside a string).
pub fn line_spelling(text: &str) -> String {
    let json = serde_json::Value::from(text).to_string();
    json.get(1..json.len() - 1).unwrap_or_default().to_string()
}

/// The longest piece of the texts that the raw line is sure to hold (JSON-escaped as
/// [`line_spelling`] does), long enough to search for. Pieces end at characters the line may spell otherwise: `/` (`\/`),
/// control characters, non-ASCII ones that have other cases (`é`, `É`; lines with `\u` escapes
/// are always searched), and for `_raw` also `\` and `"`. Failing one, the longest piece that could
/// be part of a number, which only the value holds for sure.
fn piece<'a>(texts: impl Iterator<Item = &'a str>, raw: bool) -> Option<ValueText> {
    let breaks = |c: char| {
        c == '/'
            || c.is_ascii_control()
            || (!c.is_ascii() && !caseless(c))
            || (raw && matches!(c, '\\' | '"'))
    };
    let (best, number) = texts
        .flat_map(|t| t.split(breaks))
        .filter(|p| p.len() >= MIN_LITERAL)
        .map(|p| (p, may_be_number_text(p)))
        .max_by_key(|&(p, number)| (!number, p.len()))?;
    Some(ValueText {
        text: best.to_string(),
        in_line: !number,
    })
}

/// Literals of which every match of a regex holds one.
fn regex_literals(re: &str, raw: bool) -> Option<Vec<ValueText>> {
    let mut out = Vec::new();
    for text in super::regex_literal::required(re)? {
        out.push(piece(std::iter::once(text.as_str()), raw)?);
    }
    out.sort_unstable_by(|a, b| a.text.cmp(&b.text));
    out.dedup();
    Some(out)
}

/// Whether `text` could be part of a number as a value prints it (`1e3` in the line reads `1000`).
fn may_be_number_text(text: &str) -> bool {
    // Only a text of up to four bytes can be part of `-inf` or `nan`: others are not copied.
    let in_word = || {
        let lower = text.to_ascii_lowercase();
        "-inf".contains(&lower) || "nan".contains(&lower)
    };
    text.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        || (text.len() <= "-inf".len() && in_word())
}

/// Whether a non-ASCII character is matched only by itself when case is ignored: it has no other
/// case, is no part of another character's lower case, and folds to nothing else (emoji,
/// punctuation, most scripts without case).
pub fn caseless(c: char) -> bool {
    let mut lower = c.to_lowercase();
    let mut upper = c.to_uppercase();
    lower.next() == Some(c)
        && lower.next().is_none()
        && upper.next() == Some(c)
        && upper.next().is_none()
        && !CASED_PARTS.contains(&c)
}

/// Characters without case of their own that are part of another's lower case, or that a
/// regex folds with another (checked by `caseless_characters_match_only_themselves`).
const CASED_PARTS: &[char] = &['\u{307}'];

/// Characters other than ASCII letters that a case-insensitive match takes for ASCII letters:
/// `İ` lower-cases to `i̇`, the Kelvin sign to `k`, and `ſ` folds to `s` in regexes.
pub(crate) const FOLDS_TO_ASCII: &[char] = &['\u{130}', '\u{17f}', '\u{212a}'];

/// Whether searching `line` for literals (ASCII case-insensitively) finds every one a match of
/// its values needs: false when the line has `\u` escapes or letters that fold to ASCII.
pub fn searchable(line: &str) -> bool {
    searchable_text(line) && !has_unicode_escape(line)
}

/// Whether searching a text (a value, unescaped) for literals ASCII case-insensitively finds
/// every one a match of it needs: false when it has letters that fold to ASCII.
pub fn searchable_text(text: &str) -> bool {
    text.is_ascii() || !text.contains(FOLDS_TO_ASCII)
}

thread_local! {
    /// [`with_ascii_lowercase`]'s copy of the line, reused from line to line.
    static LOWERED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Calls `f` with the line ASCII-lower-cased, in a buffer the thread keeps from line to line (the
/// literal searches over raw lines: the prefilter's and the rule index's).
pub fn with_ascii_lowercase<R>(line: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let lower = |buf: &mut Vec<u8>| {
        buf.clear();
        buf.extend(line.bytes().map(|b| b.to_ascii_lowercase()));
    };
    LOWERED.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            lower(&mut buf);
            f(&buf)
        }
        // Called again from inside `f`: a buffer of its own.
        Err(_) => {
            let mut buf = Vec::new();
            lower(&mut buf);
            f(&buf)
        }
    })
}

/// Whether a JSON text has a `\uXXXX` escape (a `\u` after an even run of backslashes).
fn has_unicode_escape(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut at = 0;
    // `memchr` rather than `str::find`: Windows events hold a backslash every few bytes, and
    // the char searcher's set-up per call cost 2.5% of a hunt.
    while let Some(i) = bytes.get(at..).and_then(|rest| memchr::memchr(b'\\', rest)) {
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

    fn one(field: &str, pattern: &Pattern) -> Option<String> {
        literal(field, pattern, &["source".to_string()]).map(|l| l.join("|"))
    }

    #[test]
    fn literals_are_spelled_as_json_writes_them() {
        assert_eq!(
            one("Image", &wild(r"\cmd.exe")).as_deref(),
            Some(r"\\cmd.exe")
        );
        assert_eq!(
            one("CommandLine", &wild(r#"say "hi""#)).as_deref(),
            Some(r#"say \"hi\""#)
        );
        assert_eq!(one("_raw", &wild("cmd.exe")).as_deref(), Some("cmd.exe"));
        assert_eq!(one("*", &wild(r"\cmd.exe")), None);
    }

    #[test]
    fn literals_stop_at_characters_the_line_may_spell_otherwise() {
        assert_eq!(
            one("_raw", &wild(r"C:\mimilib.dll")).as_deref(),
            Some("mimilib.dll")
        );
        assert_eq!(one("c", &wild("cmd.exe/c")).as_deref(), Some("cmd.exe"));
        assert_eq!(
            one("c", &wild("http://x.example/a")).as_deref(),
            Some("x.example")
        );
        assert_eq!(one("c", &wild("naïve-text")).as_deref(), Some("ve-text"));
        assert_eq!(
            one("c", &wild("\u{202e}cod.exe")).as_deref(),
            Some("\u{202e}cod.exe")
        );
        assert_eq!(one("c", &wild("x\u{1f600}")).as_deref(), Some("x\u{1f600}"));
        assert_eq!(one("n", &wild("a/b/c")), None);
    }

    #[test]
    fn fields_not_from_the_line_and_number_text_give_no_literal() {
        assert_eq!(one("source", &wild("access.log")), None);
        assert_eq!(one("sour*", &wild("access.log")), None);
        assert_eq!(one("_time", &wild("2024")), None);
        assert_eq!(one("n", &wild("100.5")), None);
        assert_eq!(one("n", &wild("INF")), None);
        assert_eq!(one("n", &wild("a")), None);
        assert_eq!(one("n", &wild("1e5x")).as_deref(), Some("1e5x"));
    }

    #[test]
    fn regexes_give_the_text_every_match_holds() {
        let re = |r: &str| Pattern::Regex(r.to_string());
        assert_eq!(one("c", &re(r"[a-z]+\.exe$")).as_deref(), Some(".exe"));
        assert_eq!(
            one("c", &re(r"(?i)c:\\windows\\temp")).as_deref(),
            Some(r"c:\\windows\\temp")
        );
        assert_eq!(
            one("_raw", &re(r"(?i)c:\\windows\\temp")).as_deref(),
            Some("windows")
        );
        assert_eq!(one("c", &re(r"(?i)ab|xyz")).as_deref(), Some("ab|xyz"));
        assert_eq!(one("c", &re(r"(?i)a|xyz")), None);
        assert_eq!(one("c", &re(r".*")), None);
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

    /// A caseless character is no other character's lower case, nor part of it, and a regex
    /// ignoring case matches it alone.
    #[test]
    fn caseless_characters_match_only_themselves() {
        use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};
        let mut parts = std::collections::BTreeSet::new();
        for x in (0..=0x10ffff).filter_map(char::from_u32) {
            let lower: Vec<char> = x.to_lowercase().collect();
            if lower != [x] {
                parts.extend(lower);
            }
        }
        let mut wrong = Vec::new();
        for c in (0x80..=0x10ffff).filter_map(char::from_u32) {
            let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
            class.case_fold_simple();
            let folds_alone = class.ranges() == [ClassUnicodeRange::new(c, c)];
            let own = c.to_lowercase().eq([c]) && c.to_uppercase().eq([c]);
            let truly = own && folds_alone && !parts.contains(&c);
            if caseless(c) != truly {
                wrong.push(format!("U+{:04X}", c as u32));
            }
        }
        assert!(wrong.is_empty(), "{wrong:?}");
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
