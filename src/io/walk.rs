//! Folders of event files: a recursive, sorted walk with a glob filter.

use crate::diagnostic::{codes, Diagnostic};
use std::path::{Path, PathBuf};

/// Every file below `dir` (recursively, sorted by path, hidden entries skipped) that `glob`
/// matches: against the file name, or against the path below `dir` when the glob holds `/`.
pub fn files(dir: &Path, glob: Option<&str>) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    out.sort();
    if let Some(pattern) = glob {
        out.retain(|f| {
            let rel = f.strip_prefix(dir).unwrap_or(f);
            let text = if pattern.contains('/') {
                rel.to_string_lossy().replace('\\', "/")
            } else {
                rel.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            glob_match(pattern, &text)
        });
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(
            codes::IO,
            format!(
                "cannot read folder `{}`: {}",
                dir.display(),
                super::io_reason(&e)
            ),
        )
    })?;
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Glob matching: `*` any run of characters but `/`, `**` any run including `/`, `?` one
/// character; everything else literal and case-sensitive.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches(&p, &t)
}

fn matches(p: &[char], t: &[char]) -> bool {
    match p {
        [] => t.is_empty(),
        ['*', '*', after @ ..] => {
            let rest = after.strip_prefix(&['/']).unwrap_or(after);
            suffixes(t).any(|s| matches(rest, s) || matches(after, s))
        }
        ['*', after @ ..] => {
            let up_to_slash = t.iter().position(|c| *c == '/').unwrap_or(t.len());
            suffixes(t).take(up_to_slash + 1).any(|s| matches(after, s))
        }
        ['?', after @ ..] => matches!(t, [c, rest @ ..] if *c != '/' && matches(after, rest)),
        [c, after @ ..] => matches!(t, [d, rest @ ..] if d == c && matches(after, rest)),
    }
}

/// `t`, then `t` without its first character, and so on down to the empty slice.
fn suffixes(t: &[char]) -> impl Iterator<Item = &[char]> {
    std::iter::successors(Some(t), |s| s.split_first().map(|(_, rest)| rest))
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("*.json", "a.json"));
        assert!(!glob_match("*.json", "a.json.gz"));
        assert!(glob_match("*.json*", "a.json.gz"));
        assert!(!glob_match("*.json", "x/a.json"));
        assert!(glob_match("**/*.json", "x/y/a.json"));
        assert!(glob_match("**/*.json", "a.json"));
        assert!(glob_match("x/**", "x/y/a.json"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
    }
}
