//! Sigma `|re`: an unanchored regex search, not run on a value that lacks every text that each
//! match of the regex holds (`optimize::regex_literal`); `cmd.+/c.+clipboard]::` is not tried on
//! a value without `clipboard]::`.

use crate::diagnostic::Diagnostic;
use crate::eval::compile::regex;
use crate::eval::compile::Affix;
use crate::eval::wild::{ascii_affix, with_folded};
use crate::optimize::literal::FOLDS_TO_ASCII;
use regex::Regex;

#[derive(Debug, Clone)]
pub struct SearchRegex {
    regex: Regex,
    /// ASCII texts, lower-cased, of which every match holds one (ASCII case aside); empty when
    /// none is known.
    needs: Vec<String>,
}

impl SearchRegex {
    pub fn new(pattern: &str) -> Result<SearchRegex, Diagnostic> {
        let needs = crate::optimize::regex_literal::required(pattern)
            .filter(|texts| texts.iter().all(|t| t.is_ascii() && !t.is_empty()))
            .unwrap_or_default();
        Ok(SearchRegex {
            regex: regex(pattern)?,
            needs,
        })
    }

    pub fn is_match(&self, value: &str) -> bool {
        self.may_match(value) && self.regex.is_match(value)
    }

    /// Whether the value holds one of the needed texts. A letter that folds to an ASCII one
    /// (`ſ` matches `(?i)s`) may stand in for its letter: such values are always searched.
    fn may_match(&self, value: &str) -> bool {
        self.needs.is_empty()
            || (!value.is_ascii() && value.contains(FOLDS_TO_ASCII))
            || with_folded(value, |text, _| {
                (self.needs.iter())
                    .any(|n| ascii_affix(text.as_bytes(), Affix::Contains, n.as_bytes()))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::SearchRegex;

    #[test]
    fn values_without_the_needed_text_are_not_searched_and_results_stay() {
        let cases = [
            (r"net\s+user\s+", "NET  USER bob", false),
            (r"(?i)net\s+user\s+", "NET  USER bob", true),
            (r"(?i)net\s+user\s+", "net user x", true),
            (r"(?i)kiss", "\u{212a}i\u{17f}\u{17f}", true),
            (r"\w+`(?:\w+|-|.)`[\w+|\s]", "a`b`c", true),
            (r"\w+`(?:\w+|-|.)`[\w+|\s]", "abc", false),
        ];
        for (pattern, value, expected) in cases {
            let re = SearchRegex::new(pattern).unwrap();
            assert_eq!(re.is_match(value), expected, "{pattern} {value}");
            assert_eq!(re.regex.is_match(value), expected, "{pattern} {value}");
        }
    }
}
