//! A guard run before any YAML text reaches the YAML parser, whose flow collections (`[`, `{`)
//! take time quadratic in their nesting depth; deeper than serde's own limit is refused at once.

/// The deepest `[ ]` / `{ }` nesting accepted (serde's recursion limit is 128 too).
pub const MAX_FLOW_DEPTH: usize = 128;

/// The byte offset of the first `[` or `{` nested deeper than [`MAX_FLOW_DEPTH`], if any.
/// Quoted scalars (to the end of their line) and `#` comments are skipped.
pub fn too_deep(text: &str) -> Option<usize> {
    // Fewer openers in all than the limit cannot nest past it: the count (a loop the compiler
    // vectorises) spares nearly every rule file the scan below.
    let openers = text.bytes().filter(|&b| b == b'[' || b == b'{').count();
    if openers <= MAX_FLOW_DEPTH {
        return None;
    }
    let mut depth = 0usize;
    for (start, line) in line_starts(text) {
        let bytes = line.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\'' | b'"' => i = closing_quote(bytes, i),
                b'#' if i == 0 || bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace) => break,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(start + i);
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
    }
    None
}

/// The message for [`too_deep`].
pub fn too_deep_message() -> String {
    format!("invalid YAML: `[ ]` / `{{ }}` nested more than {MAX_FLOW_DEPTH} levels deep")
}

fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line))
    })
}

/// The index of the quote closing the one at `at` (or the end of the line).
fn closing_quote(bytes: &[u8], at: usize) -> usize {
    let quote = bytes.get(at).copied().unwrap_or(b'"');
    let mut i = at + 1;
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' && quote == b'"' {
            i += 2;
            continue;
        }
        if b == quote {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_collections_are_found_and_quoted_or_commented_brackets_are_not() {
        assert_eq!(too_deep("a: [[1]]\nb: {c: [d]}\n"), None);
        let deep = format!("x: {}", "[".repeat(MAX_FLOW_DEPTH + 1));
        assert_eq!(too_deep(&deep), Some(3 + MAX_FLOW_DEPTH));
        let quoted = format!("x: '{0}'\ny: \"{0}\"\n# {0}\nz: a#{{\n", "[".repeat(500));
        assert_eq!(too_deep(&quoted), None);
        let balanced = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(too_deep(&balanced.repeat(50)), None);
    }
}
