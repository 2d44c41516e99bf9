//! Diagnostics: spans, stable error codes, and the one renderer (file:line:col, source line, caret, hint).

use serde::Serialize;
use std::fmt;

/// A byte range in one source text. Every span equals every other, so spans never take part in
/// `==` on the nodes that carry them (compare `start`/`end` directly where a test needs to).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Whether a diagnostic stops the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in one input, with a stable code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    pub labels: Vec<(Span, String)>,
    pub help: Option<String>,
}

/// Stable diagnostic codes. Never renumber; add new ones at the end of a group.
pub mod codes {
    /// SPL syntax error.
    pub const SPL_SYNTAX: &str = "SPL001";
    /// A command spelunk does not know.
    pub const SPL_UNKNOWN_COMMAND: &str = "SPL002";
    /// A command or option that is known but not supported yet.
    pub const SPL_UNSUPPORTED: &str = "SPL003";
    /// An eval function that does not exist or is not supported yet.
    pub const SPL_UNKNOWN_FUNCTION: &str = "SPL004";
    /// A function called with the wrong number of arguments.
    pub const SPL_ARITY: &str = "SPL005";
    /// An invalid regular expression.
    pub const SPL_REGEX: &str = "SPL006";
    /// A semantic error in a command (e.g. assigning a boolean in eval).
    pub const SPL_SEMANTIC: &str = "SPL007";
    /// Nesting too deep.
    pub const SPL_DEPTH: &str = "SPL008";
    /// A macro that cannot be loaded or expanded (unknown, cycle, too deep, malformed).
    pub const SPL_MACRO: &str = "SPL009";
    /// An input file cannot be read.
    pub const IO: &str = "IO001";
    /// An event line is not a JSON object.
    pub const EVENT: &str = "EVT001";
    /// An error while running a pipeline.
    pub const RUNTIME: &str = "RUN001";
    /// A Sigma file that is not valid YAML or not a Sigma document.
    pub const SIGMA_YAML: &str = "SIG001";
    /// A Sigma condition syntax error.
    pub const SIGMA_CONDITION: &str = "SIG002";
    /// An unknown Sigma modifier, an invalid combination, or a value the modifier cannot take.
    pub const SIGMA_MODIFIER: &str = "SIG003";
    /// A detection that is malformed or names an undefined search identifier.
    pub const SIGMA_DETECTION: &str = "SIG004";
    /// A Sigma feature that is not supported yet.
    pub const SIGMA_UNSUPPORTED: &str = "SIG005";
    /// A `|expand` placeholder with no value.
    pub const SIGMA_PLACEHOLDER: &str = "SIG006";
    /// A processing pipeline that cannot be read or applied.
    pub const SIGMA_PIPELINE: &str = "SIG007";
    /// A rule check (`spelunk check`) that fails: a required field, a value format, a reference.
    pub const SIGMA_LINT: &str = "SIG008";
    /// A stage or expression a conversion back end cannot express yet.
    pub const CONVERT_UNSUPPORTED: &str = "CNV001";
    /// A stage a conversion dropped or changed (a warning).
    pub const CONVERT_DROPPED: &str = "CNV002";
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: None,
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push((span, text.into()));
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders as `error[CODE]: message`, then `--> name:line:col`, the line, a caret, and the hint.
    pub fn render(&self, name: &str, source: &str) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{kind}[{}]: {}\n", self.code, self.message);
        match self.span {
            Some(span) => out.push_str(&render_snippet(name, source, span, self.labels.first())),
            None if !name.is_empty() => out.push_str(&format!("  --> {name}\n")),
            None => {}
        }
        for (span, text) in self.labels.iter().skip(1) {
            let (line, col) = line_col(source, span.start);
            out.push_str(&format!("  = note: {name}:{line}:{col}: {text}\n"));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.render("", ""))
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..offset].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn render_snippet(name: &str, source: &str, span: Span, label: Option<&(Span, String)>) -> String {
    let (line_no, col) = line_col(source, span.start);
    let start = floor_char_boundary(source, span.start.min(source.len()));
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[line_start..]
        .find('\n')
        .map_or(source.len(), |i| line_start + i);
    let end = floor_char_boundary(source, span.end.min(line_end).max(start));
    let (line, before) = clip_line(
        source[line_start..line_end].trim_end_matches('\r'),
        start - line_start,
    );
    let width = source[start..end].chars().count().clamp(1, MAX_SHOWN);
    let gutter = " ".repeat(line_no.to_string().len());
    let pad: String = before
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let label = label.map(|(_, t)| format!(" {t}")).unwrap_or_default();
    let location = if name.is_empty() { "<input>" } else { name };
    format!(
        "{gutter}--> {location}:{line_no}:{col}\n{gutter} |\n{line_no} | {line}\n{gutter} | {pad}{}{label}\n",
        "^".repeat(width)
    )
}

/// The most characters of a source line a snippet shows.
const MAX_SHOWN: usize = 120;

/// A long line cut to a window around byte `at` (marked with `…`), and the shown text before `at`.
fn clip_line(line: &str, at: usize) -> (String, String) {
    let at = floor_char_boundary(line, at.min(line.len()));
    if line.chars().count() <= MAX_SHOWN {
        return (line.to_string(), line[..at].to_string());
    }
    let from = floor_char_boundary(line, at.saturating_sub(MAX_SHOWN / 3));
    let to = floor_char_boundary(line, (from + MAX_SHOWN).min(line.len()));
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < line.len() { "…" } else { "" };
    (
        format!("{lead}{}{tail}", &line[from..to]),
        format!("{lead}{}", &line[from..at]),
    )
}

/// Renders every diagnostic of one input.
pub fn render_all(diags: &[Diagnostic], name: &str, source: &str) -> String {
    diags.iter().map(|d| d.render(name, source)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_caret() {
        let source = format!("{}é{}", "a".repeat(10_000), "b".repeat(10_000));
        let d = Diagnostic::error(codes::SPL_SYNTAX, "x").at(Span::new(10_000, 10_002));
        let out = d.render("q", &source);
        assert!(out.len() < 600, "{out}");
        assert!(
            out.contains("…aaa") && out.contains("ébbb") && out.contains("bb…"),
            "{out}"
        );
        let caret_line = out.lines().last().unwrap_or("");
        let source_line = out.lines().nth(3).unwrap_or("");
        let column = |line: &str, c: char| line.chars().position(|x| x == c);
        assert_eq!(column(caret_line, '^'), column(source_line, 'é'));
    }
}
