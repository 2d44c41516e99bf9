//! The SPL pipeline: split the text into commands at top-level `|`, then parse each command.

use crate::diagnostic::{codes, Diagnostic, Span};
use crate::spl::ast::{Command, CommandKind, Query};
use crate::spl::command;
use crate::spl::lex::{In, PError, PResult};
use nom::Input;

/// query = ws0 [ "|" ] command { "|" command }
///
/// Every command of the text is parsed, so one call reports all of its syntax errors.
pub fn query(source: &str) -> Result<Query, Vec<Diagnostic>> {
    let blanked = blank_comments(source);
    check_nesting(&blanked).map_err(|d| vec![d])?;
    query_at(In::new(&blanked), Nesting::Top)
}

/// The deepest `( )` nesting any SPL grammar accepts.
pub const MAX_PARENS: usize = 100;
/// The deepest `[ ]` subsearch nesting.
pub const MAX_SUBSEARCHES: usize = 20;

/// Rejects text nested deeper than the limits before any grammar recurses into it (quoted
/// strings and escapes skipped, as the command splitter does).
fn check_nesting(text: &str) -> Result<(), Diagnostic> {
    let bytes = text.as_bytes();
    let (mut parens, mut brackets, mut i) = (0usize, 0usize, 0usize);
    while let Some(&b) = bytes.get(i) {
        let (depth, limit, what) = match b {
            b'\\' => {
                i += 2;
                continue;
            }
            b'"' => {
                i = skip_quoted(text, i).unwrap_or(bytes.len());
                continue;
            }
            b'(' => (&mut parens, MAX_PARENS, "parentheses"),
            b'[' => (&mut brackets, MAX_SUBSEARCHES, "subsearches `[ ]`"),
            b')' => {
                parens = parens.saturating_sub(1);
                i += 1;
                continue;
            }
            b']' => {
                brackets = brackets.saturating_sub(1);
                i += 1;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        *depth += 1;
        if *depth > limit {
            return Err(Diagnostic::error(
                codes::SPL_DEPTH,
                format!("{what} nested more than {limit} levels deep"),
            )
            .at(Span::new(i, i + 1))
            .help("simplify the search; such nesting is almost certainly generated or hostile"));
        }
        i += 1;
    }
    Ok(())
}

/// Where a query stands, which decides what its first word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// The whole search: a first word that is not `search` starts an implicit search.
    Top,
    /// `[ ... ]` in a search, `join`, `append`: a generating command (`inputlookup`, `tstats`,
    /// `mstats`, `makeresults`, ...) may start it without a `|`.
    Subsearch,
    /// `appendpipe [stats ...]`: the first word is always a command.
    Subpipeline,
}

/// Generating commands that may start a subsearch without a leading `|`.
const GENERATING: &[&str] = &[
    "inputlookup",
    "tstats",
    "mstats",
    "makeresults",
    "from",
    "datamodel",
    "rest",
    "metadata",
    "inputcsv",
];

/// A query that starts at `input`'s offset (a subsearch inside a larger search).
pub fn query_at(input: In, nesting: Nesting) -> Result<Query, Vec<Diagnostic>> {
    let whole = Span::new(
        input.location_offset(),
        input.location_offset() + input.fragment().len(),
    );
    let mut commands = Vec::new();
    let mut errors = Vec::new();
    let segments = match segments(input) {
        Ok(s) => s,
        Err(d) => return Err(vec![d]),
    };
    if segments.iter().all(|s| s.text.fragment().trim().is_empty()) {
        return Err(vec![Diagnostic::error(
            codes::SPL_SYNTAX,
            "the search is empty",
        )
        .at(whole)
        .help(
            "write a search such as `index=main error | stats count by host`",
        )]);
    }
    for (n, segment) in segments.into_iter().enumerate() {
        let first_word = segment
            .text
            .fragment()
            .trim_start()
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        let implicit = match nesting {
            Nesting::Top => true,
            Nesting::Subsearch => !GENERATING.contains(&first_word.to_ascii_lowercase().as_str()),
            Nesting::Subpipeline => false,
        };
        match command_segment(segment, n == 0 && implicit) {
            Ok(c) => commands.push(c),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(Query { commands })
    } else {
        Err(errors)
    }
}

/// ```` ```comments``` ```` replaced by spaces (same length, so spans still point into `source`).
fn blank_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = find_comment(rest) {
        let Some(len) = rest[start + 3..].find("```") else {
            break;
        };
        let end = start + 3 + len + 3;
        out.push_str(&rest[..start]);
        for c in rest[start..end].chars() {
            match c {
                '\n' => out.push('\n'),
                c => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The start of the next ``` outside double quotes.
fn find_comment(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' => i = skip_quoted(text, i).unwrap_or(bytes.len()),
            b'`' if text[i..].starts_with("```") => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// subsearch = "[" query "]": brackets nest; quotes are skipped.
pub fn subsearch(i: In) -> PResult<Query> {
    bracketed(i, Nesting::Subsearch)
}

/// subpipeline = "[" command { "|" command } "]": commands over the current results.
pub fn subpipeline(i: In) -> PResult<Query> {
    bracketed(i, Nesting::Subpipeline)
}

fn bracketed(i: In, nesting: Nesting) -> PResult<Query> {
    if !i.fragment().starts_with('[') {
        return Err(nom::Err::Error(PError::new(
            i,
            "expected `[` to start a subsearch",
        )));
    }
    let text = i.fragment();
    let bytes = text.as_bytes();
    let (mut depth, mut at) = (0i32, 0usize);
    let close = loop {
        match bytes.get(at) {
            None => {
                return Err(nom::Err::Failure(
                    PError::new(i, "unclosed `[` subsearch").with_help("add the matching `]`"),
                ))
            }
            Some(b'\\') => at += 2,
            Some(b'"') => at = skip_quoted(text, at).unwrap_or(bytes.len()),
            Some(b'[') if depth >= MAX_SUBSEARCHES as i32 => {
                return Err(nom::Err::Failure(PError::new(
                    i.take_from(at),
                    format!("subsearches nested more than {MAX_SUBSEARCHES} levels deep"),
                )))
            }
            Some(b'[') => {
                depth += 1;
                at += 1;
            }
            Some(b']') if depth == 1 => break at,
            Some(b']') => {
                depth -= 1;
                at += 1;
            }
            Some(_) => at += 1,
        }
    };
    let inner = i.take_from(1).take(close - 1);
    let query = query_at(inner, nesting).map_err(|diags| {
        let Some(first) = diags.first() else {
            return crate::spl::lex::failure(inner, "invalid subsearch");
        };
        let span = first.span.unwrap_or_default();
        nom::Err::Failure(PError {
            offset: span.start,
            len: span.end - span.start,
            message: first.message.clone(),
            help: first.help.clone(),
        })
    })?;
    Ok((i.take_from(close + 1), query))
}

/// The text of one command, and whether a `|` stood before it.
struct Segment<'a> {
    text: In<'a>,
    piped: bool,
}

/// segments = split at `|` outside quotes, `[ ]` subsearches and ``` comments.
fn segments(input: In) -> Result<Vec<Segment>, Diagnostic> {
    let text = *input.fragment();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i, mut depth) = (0usize, 0usize, 0i32);
    let mut piped = false;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' => i = skip_quoted(text, i).map_err(|at| unterminated(at, i))?,
            b'`' if text[i..].starts_with("```") => {
                i = match text[i + 3..].find("```") {
                    Some(end) => i + 3 + end + 3,
                    None => {
                        return Err(Diagnostic::error(
                            codes::SPL_SYNTAX,
                            "unterminated ``` comment",
                        )
                        .at(Span::new(i, i + 3))
                        .help("close the comment with ```"))
                    }
                };
            }
            b'`' => {
                let len = text[i + 1..].find('`').map_or(1, |e| e + 2);
                return Err(Diagnostic::error(
                    codes::SPL_MACRO,
                    "unexpanded macro",
                )
                .at(Span::new(i, i + len))
                .help("expand macros before parsing (spelunk::expand_macros; the CLI does it, with --macros PATH for definitions)"));
            }
            b'[' => {
                depth += 1;
                i += 1;
            }
            b']' => {
                depth -= 1;
                i += 1;
            }
            b'|' if depth <= 0 => {
                if !(start == 0 && text[..i].trim().is_empty()) {
                    out.push(Segment {
                        text: slice(input, start, i),
                        piped,
                    });
                }
                piped = true;
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    out.push(Segment {
        text: slice(input, start, bytes.len()),
        piped,
    });
    Ok(out)
}

fn slice(input: In, start: usize, end: usize) -> In {
    input.take_from(start).take(end - start)
}

/// The index after the closing quote of the string that starts at `at`.
fn skip_quoted(text: &str, at: usize) -> Result<usize, usize> {
    let bytes = text.as_bytes();
    let mut i = at + 1;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(at)
}

fn unterminated(at: usize, _: usize) -> Diagnostic {
    Diagnostic::error(codes::SPL_SYNTAX, "unterminated quoted string")
        .at(Span::new(at, at + 1))
        .help("add the closing \"")
}

/// command = name ws args   (the first command without `|` is an implicit `search`)
fn command_segment(segment: Segment, first: bool) -> Result<Command, Diagnostic> {
    let text = segment.text;
    let trimmed_start = text.fragment().len() - text.fragment().trim_start().len();
    let body = text.take_from(trimmed_start);
    let span = Span::new(
        body.location_offset(),
        body.location_offset() + body.fragment().trim_end().len(),
    );
    let name_len = body
        .fragment()
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(body.fragment().len());
    let name = body.fragment()[..name_len].to_ascii_lowercase();
    if first && !segment.piped && name != "search" {
        return finish("search", span, command::parse("search", text));
    }
    if name.is_empty() {
        let message = if body.fragment().trim().is_empty() {
            "empty command between `|`".to_string()
        } else {
            format!(
                "expected a command name after `|`, found `{}`",
                body.fragment().chars().next().unwrap_or(' ')
            )
        };
        return Err(Diagnostic::error(codes::SPL_SYNTAX, message)
            .at(Span::new(span.start.saturating_sub(1), span.start.max(1))));
    }
    let name_span = Span::new(span.start, span.start + name_len);
    command::check_known(&name, name_span)?;
    let args = body.take_from(name_len);
    finish(&name, span, command::parse(&name, args))
}

/// Wraps a command's parse result; an error past the command's last character points at that
/// character, so the caret stays on the line the user wrote.
fn finish(
    name: &str,
    span: Span,
    parsed: Result<CommandKind, PError>,
) -> Result<Command, Diagnostic> {
    match parsed {
        Ok(kind) => Ok(Command {
            name: name.to_string(),
            span,
            kind,
        }),
        Err(e) => {
            let at = if e.offset >= span.end {
                Span::new(span.end, span.end + 1)
            } else {
                e.span()
            };
            let mut d =
                Diagnostic::error(codes::SPL_SYNTAX, format!("in `{name}`: {}", e.message)).at(at);
            if let Some(help) = e.help {
                d = d.help(help);
            }
            Err(d)
        }
    }
}
