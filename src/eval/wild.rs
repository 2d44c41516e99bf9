//! Sigma string patterns (`*`, `?`, windash classes) compiled to the cheapest matcher: equality,
//! contains / starts-with / ends-with, or an anchored regex (matched directly on ASCII values).

use crate::diagnostic::Diagnostic;
use crate::eval::compile::{regex, Affix, Matcher};
use crate::eval::value::{Text, Value};
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
/// pattern's steps directly. The regex of a short pattern is built when first needed (it
/// cannot fail: its text is escaped, and far below the size limit).
#[derive(Debug, Clone)]
pub struct Parts {
    source: String,
    regex: std::sync::OnceLock<regex::Regex>,
    /// `None` when only the regex will do.
    steps: Option<Vec<Step>>,
    /// The steps as texts between runs, when they are nothing else (`ipconfig*|*find`).
    texts: Option<RunTexts>,
    cased: bool,
}

/// A pattern of texts (folded unless cased) between runs of any characters: the first text
/// starts the value, the last ends it (each empty when the pattern starts or ends with a run),
/// and the middle ones come in order between. Matched by finding each middle text at its
/// leftmost place after the one before: a run takes anything, so the leftmost place leaves the
/// most room for the texts after it, and no other place can match where it does not.
#[derive(Debug, Clone)]
struct RunTexts {
    first: Vec<u8>,
    middle: Vec<Vec<u8>>,
    last: Vec<u8>,
}

impl RunTexts {
    /// The texts of `steps`, if they are only bytes and at least one run.
    fn of(steps: &[Step]) -> Option<RunTexts> {
        let mut texts = vec![Vec::new()];
        for step in steps {
            match (step, texts.last_mut()) {
                (Step::Byte(b), Some(text)) => text.push(*b),
                (Step::Run, _) => texts.push(Vec::new()),
                _ => return None,
            }
        }
        if texts.len() < 2 {
            return None;
        }
        let last = texts.pop().unwrap_or_default();
        let first = texts.remove(0);
        texts.retain(|t| !t.is_empty());
        Some(RunTexts {
            first,
            middle: texts,
            last,
        })
    }

    /// Whether the ASCII `value` matches.
    fn is_match(&self, value: &[u8], cased: bool) -> bool {
        let same = |a: &[u8], b: &[u8]| {
            if cased {
                a == b
            } else {
                a.eq_ignore_ascii_case(b)
            }
        };
        let Some(end) = value.len().checked_sub(self.last.len()) else {
            return false;
        };
        if end < self.first.len()
            || !value
                .get(..self.first.len())
                .is_some_and(|v| same(v, &self.first))
            || !value.get(end..).is_some_and(|v| same(v, &self.last))
        {
            return false;
        }
        let mut at = self.first.len();
        for text in &self.middle {
            let rest = value.get(at..end).unwrap_or_default();
            let found = if cased {
                memchr::memmem::find(rest, text)
            } else {
                find_folded(rest, text)
            };
            match found {
                Some(place) => at += place + text.len(),
                None => return false,
            }
        }
        true
    }
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
        let source = regex_text(parts, cased);
        let built = std::sync::OnceLock::new();
        if source.len() > EAGER_REGEX {
            let _ = built.set(regex(&source)?);
        }
        Ok(Parts {
            source,
            regex: built,
            texts: steps.as_deref().and_then(RunTexts::of),
            steps,
            cased,
        })
    }

    pub fn is_match(&self, value: &str) -> bool {
        match &self.steps {
            Some(steps) if value.is_ascii() => match &self.texts {
                Some(texts) => texts.is_match(value.as_bytes(), self.cased),
                None => glob(steps, value.as_bytes(), self.cased),
            },
            _ => self.regex().is_some_and(|re| re.is_match(value)),
        }
    }

    fn regex(&self) -> Option<&regex::Regex> {
        if let Some(re) = self.regex.get() {
            return Some(re);
        }
        let re = regex(&self.source).ok()?;
        Some(self.regex.get_or_init(|| re))
    }
}

/// Patterns whose regex text is longer than this have it built at once (so a regex too large is
/// reported with the rule).
const EAGER_REGEX: usize = 4096;

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

/// Calls `f` with the value as text (as `Value::text` gives it), without allocating for an
/// integer.
pub fn with_text<R>(v: &Value, f: impl FnOnce(&str) -> R) -> R {
    match v {
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e16 => {
            crate::eval::value::with_integer_text(*n as i64, f)
        }
        _ => f(&v.text()),
    }
}

/// Calls `f` with `text` lower-cased (as `str::to_lowercase` does), without allocating for
/// ASCII text (a copy goes to a buffer kept by the thread) and without copying ASCII text that
/// has no capital letter.
pub fn with_lower<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    // One pass over the bytes for both questions (it vectorizes).
    let (ascii, upper) = text.bytes().fold((true, false), |(ascii, upper), b| {
        (ascii & b.is_ascii(), upper | b.is_ascii_uppercase())
    });
    if !ascii {
        return f(&text.to_lowercase());
    }
    if !upper {
        return f(text);
    }
    if text.len() <= Text::INLINE {
        // A copy held inline, lowered in place as the `str` it is.
        let mut lower = compact_str::CompactString::new(text);
        lower.make_ascii_lowercase();
        return f(&lower);
    }
    // Taken out while `f` runs: a call of `f`'s own gets an empty buffer, not this one.
    let mut lower = LOWERED.take();
    lower.clear();
    lower.push_str(text);
    lower.make_ascii_lowercase();
    let result = f(&lower);
    if lower.capacity() <= KEPT_LOWERED {
        LOWERED.set(lower);
    }
    result
}

/// The largest buffer [`with_lower`] keeps: one huge value does not stay in memory.
const KEPT_LOWERED: usize = 1 << 16;

thread_local! {
    /// [`with_lower`]'s copy of a longer text, kept for the next.
    static LOWERED: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
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
    if !cased {
        return with_folded(value, |text, _| {
            ascii_affix(text.as_bytes(), kind, needle.as_bytes())
        });
    }
    match kind {
        Affix::Contains => value.contains(needle),
        Affix::StartsWith => value.starts_with(needle),
        Affix::EndsWith => value.ends_with(needle),
    }
}

/// Calls `f` with `text` ready to be compared with folded texts ignoring ASCII case
/// ([`ascii_affix`], `eq_ignore_ascii_case`), which is then comparing it ignoring case as
/// `str::to_lowercase` does: an ASCII text as it is (it lower-cases byte by byte, to ASCII),
/// without a copy; any other lower-cased. `f` is told which (`true`: lower-cased).
pub fn with_folded<R>(text: &str, f: impl FnOnce(&str, bool) -> R) -> R {
    if text.is_ascii() {
        f(text, false)
    } else {
        with_lower(text, |lower| f(lower, true))
    }
}

/// Whether `value` has the folded `needle` at the place `kind` says, ignoring ASCII case, in
/// place. For a value [`with_folded`] gives: an ASCII one (a needle that is not ASCII is then
/// never found), or a lower-cased one (no capital is left to ignore: plain byte equality).
pub fn ascii_affix(value: &[u8], kind: Affix, needle: &[u8]) -> bool {
    match kind {
        Affix::StartsWith => value
            .get(..needle.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(needle)),
        Affix::EndsWith => value
            .len()
            .checked_sub(needle.len())
            .and_then(|at| value.get(at..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(needle)),
        Affix::Contains => find_folded(value, needle).is_some(),
    }
}

/// The first place of the folded `needle` in `value`, ignoring ASCII case (as
/// [`ascii_affix`]).
fn find_folded(value: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let last = value.len().checked_sub(needle.len())?;
    // Each place the first byte is, in either case, then the rest there.
    let starts = value.get(..=last).unwrap_or_default();
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), starts).find(|&at| {
        value
            .get(at + 1..at + needle.len())
            .is_some_and(|here| here.eq_ignore_ascii_case(rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_as_to_lowercase_does() {
        let base = [
            "",
            "a",
            "ABC",
            "MixedCase.EXE",
            "ÉCOLE",
            "straße",
            "İ",
            "x\u{0}Y",
        ];
        let mut texts: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        // Every length around the inline limit and the kept buffer's, long after short and
        // short after long (the buffer is reused).
        for len in [23, 24, 25, 300, 26, KEPT_LOWERED + 1, 40] {
            texts.push("aB".chars().cycle().take(len).collect());
            texts.push("ab".chars().cycle().take(len).collect());
        }
        for text in &texts {
            with_lower(text, |lower| {
                assert_eq!(lower, text.to_lowercase(), "{text:?}")
            });
        }
        // A call inside another's `f` does not touch the outer one's copy.
        let (outer, inner) = ("OUTER".repeat(10), "Inner".repeat(10));
        with_lower(&outer, |a| {
            with_lower(&inner, |b| assert_eq!(b, inner.to_lowercase()));
            assert_eq!(a, outer.to_lowercase());
        });
    }

    #[test]
    fn ascii_values_match_affixes_as_their_lower_cased_copies_do() {
        let values = [
            "",
            "a",
            "C:\\Windows\\System32\\CMD.EXE",
            "powershell -NoP -W Hidden -Enc AAAA",
            "aaaB",
            "x`y",
        ];
        let needles = [
            "",
            "a",
            "b",
            "aab",
            "aaab",
            "aaaba",
            "\\cmd.exe",
            "c:\\",
            "-nop",
            "hidden -enc",
            "`",
            "k",
            "\u{212a}",
            "é",
            "system32\\cmd.exe",
            "i̇s",
            "key",
            "école",
            "ß",
        ];
        // Values that are not ASCII take the lower-cased path.
        let others = ["İSTANBUL", "\u{212a}EY", "ÉCOLE\\A.EXE", "straße"];
        for value in values.into_iter().chain(others) {
            for needle in needles {
                for kind in [Affix::Contains, Affix::StartsWith, Affix::EndsWith] {
                    let lower = value.to_lowercase();
                    let want = match kind {
                        Affix::Contains => lower.contains(needle),
                        Affix::StartsWith => lower.starts_with(needle),
                        Affix::EndsWith => lower.ends_with(needle),
                    };
                    if value.is_ascii() {
                        let got = ascii_affix(value.as_bytes(), kind, needle.as_bytes());
                        assert_eq!(got, want, "{value:?} {kind:?} {needle:?}");
                    }
                    let got = affix_match(value, kind, needle, false);
                    assert_eq!(got, want, "{value:?} {kind:?} {needle:?}");
                }
            }
        }
    }

    #[test]
    fn numbers_read_as_their_text() {
        let numbers = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            4688.0,
            123_456_789.0,
            1e15,
            -9.9e15,
            1.5,
            1e16,
            1e20,
        ];
        for n in numbers.into_iter().chain([f64::NAN, f64::INFINITY]) {
            let v = Value::Num(n);
            assert_eq!(with_text(&v, str::to_string), v.text(), "{n}");
        }
        assert_eq!(with_text(&Value::str("Ab"), str::to_string), "Ab");
    }

    #[test]
    fn patterns_match_ascii_values_as_their_regex_does() {
        let text = |t: &str| WildPart::Text(t.to_string());
        let dash = WildPart::OneOf("-/\u{2013}\u{2014}\u{2015}".to_string());
        let patterns = [
            vec![
                WildPart::AnyRun,
                text(" "),
                dash.clone(),
                text("enc "),
                WildPart::AnyRun,
            ],
            vec![text("a"), WildPart::AnyChar, text("c")],
            vec![
                WildPart::AnyRun,
                text("a"),
                WildPart::AnyRun,
                text("a"),
                WildPart::AnyRun,
            ],
            vec![text("X"), WildPart::AnyRun, text("yz"), WildPart::AnyChar],
            vec![WildPart::OneOf("aB".to_string()), WildPart::AnyRun],
            vec![WildPart::AnyChar, WildPart::AnyRun, WildPart::AnyChar],
        ];
        let values = [
            "",
            "a",
            "abc",
            "aXc",
            "ABC",
            "ac",
            "abbc",
            "x -enc y",
            "x /ENC y",
            "x --enc y",
            "aa",
            "a-a",
            "Xyzq",
            "xYZ",
            "xyzzy!",
            "b",
            "Bq",
            "\n",
            "a\nc",
            "q",
        ];
        for parts in &patterns {
            for cased in [false, true] {
                let p = Parts::new(parts, cased).expect("pattern");
                for value in values {
                    assert_eq!(
                        p.is_match(value),
                        p.regex().unwrap().is_match(value),
                        "{parts:?} cased={cased} on {value:?}"
                    );
                }
            }
        }
    }

    /// Texts between runs are found one after another ([`RunTexts`]): every pattern of up to
    /// four parts over a few texts and runs, on every value of up to five letters, agrees with
    /// the pattern's regex.
    #[test]
    fn texts_between_runs_match_as_the_regex_does() {
        let choices = ["a", "ab", "B", "*"];
        let part = |c: &str| match c {
            "*" => WildPart::AnyRun,
            t => WildPart::Text(t.to_string()),
        };
        let mut patterns: Vec<Vec<WildPart>> = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<WildPart>> = patterns
                .iter()
                .flat_map(|p| {
                    choices.iter().map(move |c| {
                        let mut p = p.clone();
                        p.push(part(c));
                        p
                    })
                })
                .collect();
            patterns.extend(longer);
        }
        patterns.retain(|p| p.contains(&WildPart::AnyRun));
        patterns.dedup();
        let mut values = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = values
                .iter()
                .filter(|v| v.len() == values.last().map_or(0, String::len))
                .flat_map(|v| ["a", "b", "A"].map(|c| format!("{v}{c}")))
                .collect();
            values.extend(longer);
        }
        let mut with_texts = 0;
        for parts in &patterns {
            for cased in [false, true] {
                let p = Parts::new(parts, cased).expect("pattern");
                with_texts += usize::from(p.texts.is_some());
                let re = p.regex().unwrap().clone();
                for value in &values {
                    assert_eq!(
                        p.is_match(value),
                        re.is_match(value),
                        "{parts:?} cased={cased} on {value:?}"
                    );
                }
            }
        }
        assert!(with_texts > 100, "{with_texts} patterns matched as texts");
    }
}
