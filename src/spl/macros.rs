//! Search macros: definitions from `macros.conf` and security_content-style YAML/JSONL, and their
//! expansion (`` `name` ``, `` `name(a, b)` ``) before parsing.
//!
//! Macros are keyed by name and argument count; `$arg$` in a definition is replaced by the
//! argument; expansion recurses with a depth limit and reports cycles. Backticks inside quoted
//! strings and ```` ``` ```` comments are left alone. An unknown `<name>_filter` macro expands to
//! `search *`, as Splunk's contentctl defines it.

use crate::diagnostic::{codes, Diagnostic, Span};
use std::collections::HashMap;
use std::path::Path;

/// How deep macros may nest before expansion stops with an error.
pub const MAX_DEPTH: usize = 50;
/// The largest expanded search, in bytes.
pub const MAX_EXPANDED: usize = 1 << 20;
/// The most macro calls one search may expand (macros that expand to little or nothing can
/// otherwise multiply the calls without growing the text).
pub const MAX_CALLS: usize = 10_000;

/// One macro definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Macro {
    pub name: String,
    pub args: Vec<String>,
    pub definition: String,
    /// Where it was defined, for messages.
    pub origin: String,
}

/// A set of macro definitions, keyed by name and argument count.
#[derive(Debug, Clone, Default)]
pub struct Macros {
    defs: HashMap<(String, usize), Macro>,
}

/// The standard macros shipped in `rules/macros/standard.conf`, built into the binary.
pub const STANDARD: &str = include_str!("../../rules/macros/standard.conf");

impl Macros {
    /// The standard macros (`drop_dm_object_name`, `security_content_ctime`, ...).
    pub fn standard() -> Macros {
        Macros::builtin().clone()
    }

    /// The standard macros, shared (parsed once per process).
    pub fn builtin() -> &'static Macros {
        static BUILTIN: std::sync::OnceLock<Macros> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut macros = Macros::default();
            // The shipped file is checked by a test; a failure here would leave the set empty.
            let _ = macros.load_conf(STANDARD, "rules/macros/standard.conf");
            macros
        })
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// Adds (or replaces) a definition.
    pub fn insert(&mut self, m: Macro) {
        self.defs.insert((m.name.clone(), m.args.len()), m);
    }

    pub fn get(&self, name: &str, argc: usize) -> Option<&Macro> {
        self.defs.get(&(name.to_string(), argc))
    }

    /// Loads a file or every macro file under a directory (`.conf`, `.yml`, `.yaml`, `.json`, `.jsonl`).
    pub fn load_path(&mut self, path: &Path) -> Result<(), Diagnostic> {
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| io_error(path, &e))?
                .flatten()
                .map(|e| e.path())
                .collect();
            entries.sort();
            for entry in entries {
                let is_macro_file = entry
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "conf" | "yml" | "yaml" | "json" | "jsonl"));
                if entry.is_dir() || is_macro_file {
                    self.load_path(&entry)?;
                }
            }
            return Ok(());
        }
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, &e))?;
        let origin = path.display().to_string();
        match path.extension().and_then(|e| e.to_str()) {
            Some("conf") => self.load_conf(&text, &origin),
            Some("json" | "jsonl") => self.load_jsonl(&text, &origin),
            _ => self.load_yaml(&text, &origin),
        }
    }

    /// `macros.conf`: `[name(2)]`, `args = a, b`, `definition = ...` (a trailing `\` continues a line).
    pub fn load_conf(&mut self, text: &str, origin: &str) -> Result<(), Diagnostic> {
        let mut current: Option<Macro> = None;
        let mut lines = text.lines().enumerate();
        while let Some((n, line)) = lines.next() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(stanza) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                if let Some(m) = current.take() {
                    self.insert(m);
                }
                let name = stanza
                    .split('(')
                    .next()
                    .unwrap_or(stanza)
                    .trim()
                    .to_string();
                current = Some(Macro {
                    name,
                    args: Vec::new(),
                    definition: String::new(),
                    origin: format!("{origin}:{}", n + 1),
                });
                continue;
            }
            let Some((key, value)) = trimmed.split_once('=') else {
                return Err(Diagnostic::error(
                    codes::SPL_MACRO,
                    format!("{origin}:{}: expected `key = value`", n + 1),
                ));
            };
            let mut value = value.trim().to_string();
            while value.ends_with('\\') {
                value.pop();
                value.push('\n');
                match lines.next() {
                    Some((_, more)) => value.push_str(more),
                    None => break,
                }
            }
            let Some(m) = current.as_mut() else {
                return Err(Diagnostic::error(
                    codes::SPL_MACRO,
                    format!("{origin}:{}: `{}` outside a [stanza]", n + 1, key.trim()),
                ));
            };
            match key.trim() {
                "definition" => m.definition = value,
                "args" => {
                    m.args = value
                        .split(',')
                        .map(|a| a.trim().to_string())
                        .filter(|a| !a.is_empty())
                        .collect()
                }
                _ => {}
            }
        }
        if let Some(m) = current {
            self.insert(m);
        }
        Ok(())
    }

    /// security_content JSONL: one `{name, args|arguments, definition}` object a line.
    pub fn load_jsonl(&mut self, text: &str, origin: &str) -> Result<(), Diagnostic> {
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
                Diagnostic::error(
                    codes::SPL_MACRO,
                    format!("{origin}:{}: invalid JSON: {e}", n + 1),
                )
            })?;
            self.insert(macro_from_value(&value, &format!("{origin}:{}", n + 1))?);
        }
        Ok(())
    }

    /// security_content YAML: one macro per document (`name`, `arguments`, `definition`), or a list.
    pub fn load_yaml(&mut self, text: &str, origin: &str) -> Result<(), Diagnostic> {
        if crate::yaml::too_deep(text).is_some() {
            let message = crate::yaml::too_deep_message();
            return Err(Diagnostic::error(
                codes::SPL_MACRO,
                format!("{origin}: {message}"),
            ));
        }
        for document in serde_yaml::Deserializer::from_str(text) {
            let value: serde_json::Value =
                serde::Deserialize::deserialize(document).map_err(|e| {
                    Diagnostic::error(codes::SPL_MACRO, format!("{origin}: invalid YAML: {e}"))
                })?;
            match &value {
                serde_json::Value::Array(items) => {
                    for item in items {
                        self.insert(macro_from_value(item, origin)?);
                    }
                }
                serde_json::Value::Null => {}
                single => self.insert(macro_from_value(single, origin)?),
            }
        }
        Ok(())
    }

    /// Expands every macro in `text`.
    pub fn expand(&self, text: &str) -> Result<String, Diagnostic> {
        let mut state = Expansion::default();
        self.expand_in(text, &mut state, Span::new(0, text.len()))
    }

    fn expand_in(
        &self,
        text: &str,
        state: &mut Expansion,
        outer: Span,
    ) -> Result<String, Diagnostic> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut offset = 0;
        while let Some(at) = next_macro(rest) {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let Some(len) = after.find('`') else {
                let span = span_in(&state.stack, outer, offset + at, offset + at + 1);
                return Err(Diagnostic::error(
                    codes::SPL_MACRO,
                    "unclosed macro: missing the closing backtick",
                )
                .at(span));
            };
            let call = &after[..len];
            let span = span_in(&state.stack, outer, offset + at, offset + at + len + 2);
            out.push_str(&self.expand_call(call, state, span)?);
            if out.len() > MAX_EXPANDED {
                return Err(Diagnostic::error(
                    codes::SPL_MACRO,
                    format!("macro expansion is larger than {MAX_EXPANDED} bytes"),
                )
                .at(span));
            }
            let consumed = at + len + 2;
            rest = &rest[consumed..];
            offset += consumed;
        }
        out.push_str(rest);
        Ok(out)
    }

    fn expand_call(
        &self,
        call: &str,
        state: &mut Expansion,
        span: Span,
    ) -> Result<String, Diagnostic> {
        state.calls += 1;
        if state.calls > MAX_CALLS {
            return Err(Diagnostic::error(
                codes::SPL_MACRO,
                format!("more than {MAX_CALLS} macro calls in one search"),
            )
            .at(span));
        }
        let stack = &mut state.stack;
        let (name, args) = split_call(call).ok_or_else(|| {
            Diagnostic::error(codes::SPL_MACRO, format!("malformed macro call `{call}`")).at(span)
        })?;
        let key = format!("{name}({})", args.len());
        if stack.len() >= MAX_DEPTH {
            return Err(Diagnostic::error(
                codes::SPL_MACRO,
                format!("macros nested more than {MAX_DEPTH} deep at `{key}`"),
            )
            .at(span));
        }
        if stack.contains(&key) {
            return Err(Diagnostic::error(
                codes::SPL_MACRO,
                format!("macro cycle: {} -> {key}", stack.join(" -> ")),
            )
            .at(span));
        }
        let Some(m) = self.get(&name, args.len()) else {
            if name.ends_with("_filter") && args.is_empty() {
                return Ok("search *".to_string());
            }
            let known: Vec<String> = self
                .defs
                .keys()
                .filter(|(n, _)| *n == name)
                .map(|(n, c)| format!("{n}({c})"))
                .collect();
            let help = if known.is_empty() {
                "define it in a macros.conf or YAML file and pass it with --macros PATH".to_string()
            } else {
                format!("defined with another argument count: {}", known.join(", "))
            };
            return Err(
                Diagnostic::error(codes::SPL_MACRO, format!("unknown macro `{key}`"))
                    .at(span)
                    .help(help),
            );
        };
        let mut body = m.definition.clone();
        for (param, value) in m.args.iter().zip(&args) {
            let placeholder = format!("${param}$");
            let uses = body.matches(&placeholder).count();
            if body.len().saturating_add(uses.saturating_mul(value.len())) > MAX_EXPANDED {
                return Err(Diagnostic::error(
                    codes::SPL_MACRO,
                    format!("macro `{key}` with its arguments is larger than {MAX_EXPANDED} bytes"),
                )
                .at(span));
            }
            body = body.replace(&placeholder, value);
        }
        stack.push(key);
        let expanded = self.expand_in(&body, state, span);
        state.stack.pop();
        expanded
    }
}

/// Where an expansion stands: the calls being expanded, outermost first, and how many so far.
#[derive(Default)]
struct Expansion {
    stack: Vec<String>,
    calls: usize,
}

/// The span to report: inside a nested expansion, the outermost call in the user's text.
fn span_in(stack: &[String], outer: Span, start: usize, end: usize) -> Span {
    if stack.is_empty() {
        Span::new(start, end)
    } else {
        outer
    }
}

fn macro_from_value(value: &serde_json::Value, origin: &str) -> Result<Macro, Diagnostic> {
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let name = text("name").ok_or_else(|| {
        Diagnostic::error(
            codes::SPL_MACRO,
            format!("{origin}: a macro needs a `name`"),
        )
    })?;
    let definition = text("definition").unwrap_or_default();
    let args = value
        .get("args")
        .or_else(|| value.get("arguments"))
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(Macro {
        name,
        args,
        definition,
        origin: origin.to_string(),
    })
}

/// The byte offset of the next macro backtick outside quotes and ``` comments.
fn next_macro(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i).filter(|c| **c != b'"') {
                    i += if c == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'`' if text[i..].starts_with("```") => {
                i = text[i + 3..]
                    .find("```")
                    .map_or(bytes.len(), |end| i + 3 + end + 3);
            }
            b'`' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// `name` or `name(a, "b, c", d)` → the name and its arguments (commas inside quotes or parentheses kept).
fn split_call(call: &str) -> Option<(String, Vec<String>)> {
    let call = call.trim();
    let Some(open) = call.find('(') else {
        return valid_name(call).then(|| (call.to_string(), Vec::new()));
    };
    let name = call[..open].trim();
    let inner = call[open + 1..].strip_suffix(')')?;
    if !valid_name(name) {
        return None;
    }
    let mut args = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let bytes = inner.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            b',' if !quoted && depth == 0 => {
                args.push(inner[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if !inner.trim().is_empty() || !args.is_empty() {
        args.push(inner[start..].trim().to_string());
    }
    Some((name.to_string(), args))
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        codes::IO,
        format!(
            "cannot read macros from `{}`: {}",
            path.display(),
            crate::io::io_reason(e)
        ),
    )
}
