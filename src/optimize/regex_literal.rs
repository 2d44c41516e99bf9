//! The text every match of a regex holds (Sigma `|re`): `cmd.{0,5}/c.+clipboard]::` always
//! holds `clipboard]::`. Found on the parsed regex, lower-cased (the line is searched without
//! regard to ASCII case); letters that fold to ASCII are left out of case-insensitive classes
//! (lines holding them are always searched).

use super::literal::FOLDS_TO_ASCII;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Texts of which every match of `re` holds one; `None` when there are none.
pub fn required(re: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::parse(&crate::eval::pcre::to_rust_syntax(re)).ok()?;
    let mut alternatives = any_of(&hir)?;
    alternatives.sort_unstable();
    alternatives.dedup();
    Some(alternatives)
}

/// Texts of which every match of `hir` holds one.
fn any_of(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Concat(items) => concat(items),
        HirKind::Alternation(items) => {
            let mut all = Vec::new();
            for item in items {
                all.extend(any_of(item)?);
            }
            Some(all)
        }
        HirKind::Capture(capture) => any_of(&capture.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => any_of(&rep.sub),
        HirKind::Literal(_) | HirKind::Class(_) => fixed(hir).map(|t| vec![t]),
        HirKind::Repetition(_) | HirKind::Empty | HirKind::Look(_) => None,
    }
}

/// Of a concatenation, the best of its runs of fixed text and its parts' own texts.
fn concat(items: &[Hir]) -> Option<Vec<String>> {
    let mut candidates: Vec<Vec<String>> = Vec::new();
    let mut run = String::new();
    for item in items {
        if let Some(text) = fixed(item) {
            run.push_str(&text);
            continue;
        }
        if !run.is_empty() {
            candidates.push(vec![std::mem::take(&mut run)]);
        }
        candidates.extend(any_of(item));
    }
    if !run.is_empty() {
        candidates.push(vec![run]);
    }
    candidates
        .into_iter()
        .max_by_key(|c| c.iter().map(String::len).min())
}

/// The one text `hir` always matches (lower-cased), if it has one: a literal, a class of the
/// case variants of one letter, zero-width assertions, and sequences of those.
fn fixed(hir: &Hir) -> Option<String> {
    match hir.kind() {
        HirKind::Literal(literal) => std::str::from_utf8(&literal.0).ok().map(str::to_lowercase),
        HirKind::Class(class) => one_letter(class).map(String::from),
        HirKind::Empty | HirKind::Look(_) => Some(String::new()),
        HirKind::Capture(capture) => fixed(&capture.sub),
        HirKind::Concat(items) => items.iter().map(fixed).collect(),
        HirKind::Repetition(rep) if rep.min == 1 && rep.max == Some(1) => fixed(&rep.sub),
        HirKind::Repetition(_) | HirKind::Alternation(_) => None,
    }
}

/// The letter a class stands for when it holds only its case variants (`[kK]`, `(?i)k`).
fn one_letter(class: &Class) -> Option<char> {
    let chars: Vec<char> = match class {
        Class::Unicode(c) if c.ranges().len() <= 4 => c
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .take(8)
            .collect(),
        Class::Bytes(c) if c.ranges().len() <= 4 => c
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .take(8)
            .map(char::from)
            .collect(),
        Class::Unicode(_) | Class::Bytes(_) => return None,
    };
    let mut lower = chars
        .iter()
        .filter(|c| !FOLDS_TO_ASCII.contains(c))
        .map(|c| c.to_lowercase().collect::<String>());
    let first = lower.next()?;
    let mut one = first.chars();
    let (letter, rest) = (one.next()?, one.next());
    (rest.is_none() && lower.all(|l| l == first) && chars.len() < 8).then_some(letter)
}

#[cfg(test)]
mod tests {
    use super::required;

    fn texts(re: &str) -> Option<String> {
        required(re).map(|t| t.join("|"))
    }

    #[test]
    fn every_match_holds_one_of_the_texts() {
        assert_eq!(
            texts(r"cmd.{0,5}(?:/c|/r).+clip(?:\.exe)?.{0,4}&&.+clipboard]::\(").as_deref(),
            Some("clipboard]::(")
        );
        assert_eq!(
            texts(r"(?i)invoke-(mimikatz|kerberoast)").as_deref(),
            Some("kerberoast|mimikatz")
        );
        assert_eq!(texts(r"(?i)run-(a|b)").as_deref(), Some("run-"));
        assert_eq!(
            texts(r"(?i)(mimikatz|kerberoast)\.exe").as_deref(),
            Some("kerberoast|mimikatz")
        );
        assert_eq!(texts(r"\s+-enc(odedcommand)?\s").as_deref(), Some("-enc"));
        assert_eq!(texts(r"(?i)\bkiss\b").as_deref(), Some("kiss"));
        assert_eq!(texts(r"[a-z]+"), None);
        assert_eq!(texts(r"a|[0-9]"), None);
        assert_eq!(texts(r"(x)?"), None);
        assert_eq!(texts(r"("), None);
    }
}
