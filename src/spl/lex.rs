//! Lexical parsers shared by the SPL grammars: whitespace, words, quoted strings, numbers, keywords.

use crate::diagnostic::Span;
use crate::spl::ast::Word;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::error::{ErrorKind, ParseError};
use nom::{IResult, Input, Parser};
use nom_locate::LocatedSpan;

/// Parser input: text that knows its byte offset in the whole search.
pub type In<'a> = LocatedSpan<&'a str>;
pub type PResult<'a, T> = IResult<In<'a>, T, PError>;

/// A parse error: where, what was expected, and an optional hint.
#[derive(Debug, Clone, PartialEq)]
pub struct PError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub help: Option<String>,
}

impl PError {
    pub fn new(at: In, message: impl Into<String>) -> Self {
        let len = at.fragment().chars().next().map_or(0, char::len_utf8);
        PError {
            offset: at.location_offset(),
            len,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn span(&self) -> Span {
        Span::new(self.offset, self.offset + self.len)
    }
}

impl<'a> ParseError<In<'a>> for PError {
    fn from_error_kind(input: In<'a>, kind: ErrorKind) -> Self {
        PError::new(
            input,
            format!("unexpected {} ({})", describe(input), kind.description()),
        )
    }

    fn append(_: In<'a>, _: ErrorKind, other: Self) -> Self {
        other
    }

    /// Of two alternatives, keep the error that got further.
    fn or(self, other: Self) -> Self {
        if other.offset >= self.offset {
            other
        } else {
            self
        }
    }
}

/// A fatal error at `at`: stops backtracking.
pub fn fail<'a, T>(at: In<'a>, message: impl Into<String>) -> PResult<'a, T> {
    Err(nom::Err::Failure(PError::new(at, message)))
}

/// A recoverable error at `at`: lets `alt` try the next branch.
pub fn backtrack<'a, T>(at: In<'a>, message: impl Into<String>) -> PResult<'a, T> {
    Err(nom::Err::Error(PError::new(at, message)))
}

/// `found \`x\`` or `end of input`, for messages.
pub fn describe(at: In) -> String {
    let text = at.fragment();
    let token: String = text
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(20)
        .collect();
    match text.chars().next() {
        None => "end of input".to_string(),
        Some(c) if c.is_whitespace() => "whitespace".to_string(),
        Some(_) => format!("`{token}`"),
    }
}

/// The span from `start` up to (not including) `rest`.
pub fn span_between(start: In, rest: In) -> Span {
    Span::new(start.location_offset(), rest.location_offset())
}

/// ws0 = { whitespace }
pub fn ws0(i: In) -> PResult<In> {
    take_while(char::is_whitespace).parse(i)
}

/// ws1 = whitespace { whitespace }
pub fn ws1(i: In) -> PResult<In> {
    take_while1(char::is_whitespace).parse(i)
}

/// keyword = the exact upper- or lower-case word, not followed by a word character.
pub fn keyword<'a>(word: &'static str) -> impl Fn(In<'a>) -> PResult<'a, In<'a>> {
    move |i: In<'a>| {
        let (rest, k) = tag(word).parse(i)?;
        match rest.fragment().chars().next() {
            Some(c) if is_word_char(c) => backtrack(i, format!("expected `{word}`")),
            _ => Ok((rest, k)),
        }
    }
}

/// keyword_ci = a keyword in any case (`by`, `BY`, `as`, `AS`).
pub fn keyword_ci<'a>(word: &'static str) -> impl Fn(In<'a>) -> PResult<'a, In<'a>> {
    move |i: In<'a>| {
        let n = word.len();
        let text = i.fragment();
        let matches = text.len() >= n
            && text.is_char_boundary(n)
            && text[..n].eq_ignore_ascii_case(word)
            && !text[n..].chars().next().is_some_and(is_word_char);
        if matches {
            Ok(i.take_split(n))
        } else {
            backtrack(i, format!("expected `{word}`"))
        }
    }
}

pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// field_char = letter | digit | "_" | "." | "{" | "}" | "@" | "*" | "/" | "-" | ":" | "#"
fn is_field_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '{' | '}' | '@' | '*' | '/' | '-' | ':' | '#')
}

/// field_name = ( letter | "_" | "@" | "*" ) { field_char } | quoted { field_char }
///
/// A quoted part joins the characters after it, as Splunk's tokenizer does: `"Processes".*`.
pub fn field_name(i: In) -> PResult<Word> {
    if i.fragment().starts_with('"') || i.fragment().starts_with('\'') {
        let (rest, mut w) = quoted(i)?;
        let (rest, tail) = take_while(is_field_char).parse(rest)?;
        w.text.push_str(tail.fragment());
        w.span.end = rest.location_offset();
        return Ok((rest, w));
    }
    let first_ok = i
        .fragment()
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || matches!(c, '_' | '@' | '*'));
    if !first_ok {
        return backtrack(i, format!("expected a field name, found {}", describe(i)));
    }
    let (rest, name) = take_while1(is_field_char).parse(i)?;
    Ok((rest, word(name, false, name.fragment().to_string())))
}

/// quoted = '"' { char | '\"' | '\\' } '"'  (also single quotes, for eval field names)
pub fn quoted(i: In) -> PResult<Word> {
    let quote = match i.fragment().chars().next() {
        Some(q @ ('"' | '\'')) => q,
        _ => return backtrack(i, "expected a quoted string"),
    };
    let body = &i.fragment()[1..];
    let mut text = String::new();
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        if c == quote {
            let (rest, taken) = i.take_split(at + 2);
            return Ok((rest, word(taken, true, text)));
        }
        if c == '\\' {
            match chars.next() {
                Some((_, e)) if e == quote || e == '\\' => text.push(e),
                Some((_, e)) => {
                    text.push('\\');
                    text.push(e);
                }
                None => text.push('\\'),
            }
        } else {
            text.push(c);
        }
    }
    Err(nom::Err::Failure(
        PError::new(i, "unterminated quoted string").with_help(format!("add the closing {quote}")),
    ))
}

/// number = digit { digit } [ "." digit { digit } ] [ ("e"|"E") ["+"|"-"] digit { digit } ]
pub fn number(i: In) -> PResult<(f64, In)> {
    let text = i.fragment();
    let bytes = text.as_bytes();
    let mut n = 0;
    let digits = |from: usize| {
        bytes
            .iter()
            .skip(from)
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    n += digits(n);
    if bytes.get(n) == Some(&b'.') && digits(n + 1) > 0 {
        n += 1 + digits(n + 1);
    }
    if n == 0 {
        return backtrack(i, "expected a number");
    }
    if matches!(bytes.get(n), Some(b'e' | b'E')) {
        let sign = usize::from(bytes.get(n + 1).is_some_and(|b| *b == b'+' || *b == b'-'));
        let exp = digits(n + 1 + sign);
        if exp > 0 {
            n += 1 + sign + exp;
        }
    }
    if text[n..]
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
    {
        return backtrack(i, "expected a number");
    }
    let (rest, taken) = i.take_split(n);
    match taken.fragment().parse::<f64>() {
        Ok(v) => Ok((rest, (v, taken))),
        Err(_) => backtrack(i, "expected a number"),
    }
}

/// integer = digit { digit }
pub fn integer(i: In) -> PResult<u64> {
    let (rest, digits) = take_while1(|c: char| c.is_ascii_digit()).parse(i)?;
    match digits.fragment().parse::<u64>() {
        Ok(n) => Ok((rest, n)),
        Err(_) => fail(i, "number too large"),
    }
}

/// A `Word` for a taken slice.
pub fn word(taken: In, quoted: bool, text: String) -> Word {
    let start = taken.location_offset();
    Word {
        text,
        quoted,
        span: Span::new(start, start + taken.fragment().len()),
    }
}

/// option = name "=" value, for `key=value` command options.
pub fn option_value<'a>(name: &'static str) -> impl Fn(In<'a>) -> PResult<'a, Word> {
    move |i: In<'a>| {
        let (rest, _) = keyword_ci(name).parse(i)?;
        let (rest, _) = (ws0, tag("="), ws0).parse(rest)?;
        if rest.fragment().starts_with('"') {
            return quoted(rest);
        }
        let (rest, v) =
            take_while1(|c: char| !c.is_whitespace() && c != ',' && c != '[').parse(rest)?;
        Ok((rest, word(v, false, v.fragment().to_string())))
    }
}

/// boolean = "true" | "false" | "t" | "f" | "1" | "0" (any case)
pub fn parse_bool(w: &Word) -> Option<bool> {
    match w.text.to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" => Some(true),
        "false" | "f" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// A fatal error value at `at`, for `ok_or_else(|| failure(..))?`.
pub fn failure(at: In, message: impl Into<String>) -> nom::Err<PError> {
    nom::Err::Failure(PError::new(at, message))
}

/// list_separator = ws0 { "," ws0 }: between the items of a comma- or space-separated list
/// (Splunk tolerates a doubled comma).
pub fn list_separator(i: In) -> PResult<In> {
    let (mut rest, _) = ws0(i)?;
    while rest.fragment().starts_with(',') {
        rest = ws0(rest.take_from(1))?.0;
    }
    Ok((rest, rest))
}
