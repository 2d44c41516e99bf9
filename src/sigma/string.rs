//! Sigma string values: `*`/`?` wildcards and `\` escapes as the specification says, and the
//! value transformations of the string modifiers (windash, base64, base64offset, utf16).

use crate::ir::WildPart;

/// Parses a Sigma string: `*` any run, `?` one character; `\*`, `\?`, `\\` are the plain
/// characters; a `\` before any other character is itself (Sigma rules spec, "Escaping").
pub fn parse(text: &str) -> Vec<WildPart> {
    let mut parts = Vec::new();
    let mut buf = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&next @ ('*' | '?' | '\\')) => {
                    buf.push(next);
                    chars.next();
                }
                _ => buf.push('\\'),
            },
            '*' | '?' => {
                if !buf.is_empty() {
                    parts.push(WildPart::Text(std::mem::take(&mut buf)));
                }
                parts.push(if c == '*' {
                    WildPart::AnyRun
                } else {
                    WildPart::AnyChar
                });
            }
            c => buf.push(c),
        }
    }
    if !buf.is_empty() {
        parts.push(WildPart::Text(buf));
    }
    parts
}

/// Whether the parts hold a wildcard.
pub fn has_wildcards(parts: &[WildPart]) -> bool {
    parts.iter().any(|p| !matches!(p, WildPart::Text(_)))
}

/// The plain text of wildcard-free parts.
pub fn plain_text(parts: &[WildPart]) -> String {
    parts
        .iter()
        .map(|p| match p {
            WildPart::Text(t) => t.as_str(),
            WildPart::AnyRun | WildPart::AnyChar | WildPart::OneOf(_) => "",
        })
        .collect()
}

/// `*` before and/or after the parts, without doubling one already there.
pub fn wrap(mut parts: Vec<WildPart>, before: bool, after: bool) -> Vec<WildPart> {
    if after && parts.last() != Some(&WildPart::AnyRun) {
        parts.push(WildPart::AnyRun);
    }
    if before && parts.first() != Some(&WildPart::AnyRun) {
        parts.insert(0, WildPart::AnyRun);
    }
    parts
}

/// The characters `|windash` makes interchangeable.
pub const DASHES: &str = "-/\u{2013}\u{2014}\u{2015}";

/// `|windash`: a dash or slash that starts a word-like flag (not after a word character, before
/// one) may be any of `-`, `/`, en dash, em dash, horizontal bar.
pub fn windash(parts: Vec<WildPart>) -> Vec<WildPart> {
    let mut out = Vec::new();
    for part in parts {
        let WildPart::Text(text) = part else {
            out.push(part);
            continue;
        };
        let chars: Vec<char> = text.chars().collect();
        let mut buf = String::new();
        for (n, &c) in chars.iter().enumerate() {
            let after_word = n
                .checked_sub(1)
                .and_then(|before| chars.get(before))
                .is_some_and(|&d| is_word(d));
            let before_word = chars.get(n + 1).is_some_and(|&d| is_word(d));
            if DASHES.contains(c) && !after_word && before_word {
                if !buf.is_empty() {
                    out.push(WildPart::Text(std::mem::take(&mut buf)));
                }
                out.push(WildPart::OneOf(DASHES.to_string()));
            } else {
                buf.push(c);
            }
        }
        if !buf.is_empty() {
            out.push(WildPart::Text(buf));
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `%name%` placeholders of an `|expand` value (`\%` is a plain percent sign).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = find_unescaped(rest, '%') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('%') else { break };
        found.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    found
}

fn find_unescaped(text: &str, c: char) -> Option<usize> {
    let mut prev = None;
    for (i, ch) in text.char_indices() {
        if ch == c && prev != Some('\\') {
            return Some(i);
        }
        prev = Some(ch);
    }
    None
}

/// UTF-16 little-endian bytes (`|utf16le`, `|wide`).
pub fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// UTF-16 big-endian bytes (`|utf16be`).
pub fn utf16be(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// UTF-16 with a byte order mark (`|utf16`): `FF FE` then little-endian.
pub fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(utf16le(text));
    out
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard Base64 with `=` padding (RFC 4648).
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |k: usize| u32::from(chunk.get(k).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for k in 0..4 {
            match ALPHABET.get((n >> (18 - 6 * k) & 63) as usize) {
                Some(&digit) if k <= chunk.len() => out.push(char::from(digit)),
                _ => out.push('='),
            }
        }
    }
    out
}

/// `|base64offset`: the three Base64 forms of `bytes` as it may appear at offsets 0, 1 and 2 of
/// a longer encoded text, each trimmed to the characters that do not depend on its neighbours.
pub fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    (0..3usize)
        .map(|shift| {
            let mut shifted = vec![b' '; shift];
            shifted.extend_from_slice(bytes);
            let encoded = base64(&shifted);
            let start = match shift {
                0 => 0,
                1 => 2,
                _ => 3,
            };
            let end = match (bytes.len() + shift) % 3 {
                0 => encoded.len(),
                1 => encoded.len().saturating_sub(3),
                _ => encoded.len().saturating_sub(2),
            };
            encoded.get(start..end.max(start)).unwrap_or("").to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use WildPart::*;

    fn t(s: &str) -> WildPart {
        Text(s.to_string())
    }

    #[test]
    fn escapes_follow_the_specification() {
        assert_eq!(parse(r"C:\Windows\*"), vec![t(r"C:\Windows*")]);
        assert_eq!(parse(r"a\\*"), vec![t(r"a\"), AnyRun]);
        assert_eq!(parse(r"a\\\*"), vec![t(r"a\*")]);
        assert_eq!(parse(r"a\?b?"), vec![t("a?b"), AnyChar]);
        assert_eq!(parse(r"\\\\"), vec![t(r"\\")]);
        assert_eq!(parse(r"x\W"), vec![t(r"x\W")]);
    }

    #[test]
    fn windash_replaces_flag_dashes_only() {
        let parts = windash(vec![t(" -enc a-b /c")]);
        assert_eq!(
            parts,
            vec![
                t(" "),
                OneOf(DASHES.into()),
                t("enc a-b "),
                OneOf(DASHES.into()),
                t("c")
            ]
        );
    }

    #[test]
    fn encodings() {
        assert_eq!(base64(b"cmd"), "Y21k");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(utf16le("cmd"), vec![0x63, 0, 0x6d, 0, 0x64, 0]);
        assert_eq!(utf16be("cm"), vec![0, 0x63, 0, 0x6d]);
        assert_eq!(utf16("c"), vec![0xFF, 0xFE, 0x63, 0]);
        assert_eq!(
            base64_offsets(b"http://"),
            vec!["aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"]
        );
        assert_eq!(
            placeholders(r"a%x%b\%c%y%"),
            vec!["x".to_string(), "y".to_string()]
        );
    }
}
