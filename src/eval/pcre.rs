//! PCRE spellings the `regex` crate reads differently, rewritten before a rule's regex is built.
//!
//! Splunk's regexes are PCRE: a `{` that does not start a `{n}`, `{n,}` or `{n,m}` quantifier is a
//! literal brace there (`%{`, `(?<json>{.+})`), but a syntax error to the `regex` crate.

/// The pattern with each literal `{` escaped; everything else as written.
pub fn to_rust_syntax(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut in_class = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.get(i + 1) {
                    out.push(*next);
                }
                i += 2;
                let braced = matches!(chars.get(i - 1), Some('x' | 'p' | 'P' | 'N' | 'g' | 'k'));
                if braced && chars.get(i) == Some(&'{') {
                    while let Some(ch) = chars.get(i) {
                        out.push(*ch);
                        i += 1;
                        if *ch == '}' {
                            break;
                        }
                    }
                }
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '{' if !in_class && !quantifies(chars.get(i..).unwrap_or_default(), &out) => {
                out.push_str("\\{")
            }
            '}' if !in_class && !closes_quantifier(&out) => out.push_str("\\}"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Whether the `{` starting `rest` is a quantifier of what precedes it in `out`.
fn quantifies(rest: &[char], out: &str) -> bool {
    is_quantifier(rest) && follows_atom(out)
}

/// `{n}`, `{n,}` or `{n,m}` at the start of `rest`.
fn is_quantifier(rest: &[char]) -> bool {
    let Some(end) = rest.iter().position(|c| *c == '}') else {
        return false;
    };
    let body: String = rest.iter().take(end).skip(1).collect();
    let mut parts = body.splitn(2, ',');
    let lo = parts.next().unwrap_or("");
    let hi = parts.next();
    !lo.is_empty()
        && lo.chars().all(|c| c.is_ascii_digit())
        && hi.is_none_or(|h| h.chars().all(|c| c.is_ascii_digit()))
}

/// Whether something a quantifier can apply to precedes (not `(`, `|` or the start).
fn follows_atom(out: &str) -> bool {
    match out.chars().last() {
        None | Some('(') | Some('|') => out.ends_with("\\(") || out.ends_with("\\|"),
        Some(_) => true,
    }
}

/// Whether the `}` about to be written closes a quantifier left unescaped in `out`.
fn closes_quantifier(out: &str) -> bool {
    let Some(open) = out.rfind('{') else {
        return false;
    };
    let escaped = out[..open].chars().rev().take_while(|c| *c == '\\').count() % 2 == 1;
    !escaped
        && out[open + 1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',')
}

#[cfg(test)]
mod tests {
    use super::to_rust_syntax;

    #[test]
    fn literal_braces_are_escaped() {
        assert_eq!(to_rust_syntax("(?<j>{.+})"), r"(?<j>\{.+\})");
        assert_eq!(
            to_rust_syntax("(^%{|^)(?P<s>.*?)(}$|$)"),
            r"(^%\{|^)(?P<s>.*?)(\}$|$)"
        );
        assert_eq!(to_rust_syntax(r"^\\{[0-9a-f]{8}-"), r"^\\\{[0-9a-f]{8}-");
        assert_eq!(to_rust_syntax(r"\d{2,4}x{3,}[{}]"), r"\d{2,4}x{3,}[{}]");
        assert_eq!(to_rust_syntax(r"\{\}"), r"\{\}");
        assert_eq!(
            to_rust_syntax(r"(?<a>\x{202E})\p{L}"),
            r"(?<a>\x{202E})\p{L}"
        );
    }
}
