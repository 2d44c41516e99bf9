//! Event input: files, folders (recursive, with a glob filter) and stdin, in any of the formats
//! spelunk detects: NDJSON, a JSON array, concatenated JSON objects, CSV with a header, Windows
//! `.evtx`, and gzip around any of them. A bad record is reported and skipped; the rest still count.

mod csv;
mod evtx;
mod json;
mod json_array;
pub mod parallel;
mod walk;

pub use json::read_events;
pub use walk::{files, glob_match};

use crate::diagnostic::{codes, Diagnostic};
use crate::eval::event::{EventOptions, Record};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A line, row or record that could not be read as an event.
#[derive(Debug, Clone, PartialEq)]
pub struct BadEvent {
    pub source: String,
    /// The line (text formats, JSON arrays: where the element starts) or record number (EVTX).
    pub line: usize,
    pub message: String,
}

impl BadEvent {
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::warning(
            codes::EVENT,
            format!("{}:{}: skipped: {}", self.source, self.line, self.message),
        )
    }
}

/// How to find inputs beyond the paths themselves.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// Inside folders, read only files whose name (or path below the folder, when the pattern
    /// holds `/`) matches this glob (`*`, `**`, `?`).
    pub glob: Option<String>,
    /// Counts the bytes read from files, for a progress display.
    pub bytes: Option<Arc<AtomicU64>>,
}

/// The formats spelunk reads, told apart by magic bytes, extension or first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// NDJSON, a JSON array, or JSON objects back to back.
    Json,
    /// CSV with a header line.
    Csv,
    /// A Windows event log file (`ElfFile\0` magic).
    Evtx,
    /// gzip (`1f 8b` magic) around any other format.
    Gzip,
}

/// Opens `path` (`-` is stdin) and reads its events.
pub fn read_path(
    path: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    read_input(path, &Input::default(), opts, on_event, on_bad)
}

/// Reads `path`: stdin for `-`, every matching file below a folder, or one file.
pub fn read_input(
    path: &str,
    input: &Input,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    if path == "-" {
        let stdin = std::io::stdin().lock();
        return read_stream(stdin, "<stdin>", opts, on_event, on_bad);
    }
    if Path::new(path).is_dir() {
        for file in files(Path::new(path), input.glob.as_deref())? {
            read_file(&file.to_string_lossy(), input, opts, on_event, on_bad)?;
        }
        return Ok(());
    }
    read_file(path, input, opts, on_event, on_bad)
}

/// The total size in bytes of the files `paths` stand for (stdin counts nothing).
pub fn total_bytes(paths: &[String], input: &Input) -> u64 {
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    paths
        .iter()
        .filter(|p| p.as_str() != "-")
        .map(|p| {
            let path = Path::new(p);
            if path.is_dir() {
                files(path, input.glob.as_deref())
                    .map(|fs| fs.iter().map(|f| size(f)).sum())
                    .unwrap_or(0)
            } else {
                size(path)
            }
        })
        .sum()
}

fn read_file(
    path: &str,
    input: &Input,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let file = std::fs::File::open(path).map_err(|e| {
        Diagnostic::error(
            codes::IO,
            format!("cannot read events file `{path}`: {}", io_reason(&e)),
        )
    })?;
    let file_opts = with_source(opts, path);
    let reader = Counting {
        inner: file,
        bytes: input.bytes.clone(),
    };
    read_stream(reader, path, &file_opts, on_event, on_bad)
}

/// The options with `source` defaulting to the file's path.
fn with_source(opts: &EventOptions, path: &str) -> EventOptions {
    let mut file_opts = opts.clone();
    if !file_opts.defaults.iter().any(|(k, _)| k == "source") {
        file_opts
            .defaults
            .push(("source".to_string(), path.to_string()));
    }
    file_opts
}

/// Reads `path` as [`read_input`] does, each event through `prefix` (when given) into
/// `sink`. With more than one thread, files of one JSON object per line are read by
/// [`parallel::read_file`]; the rest (stdin, compressed, CSV, EVTX, JSON arrays) on this thread.
pub fn read_input_with(
    path: &str,
    input: &Input,
    opts: &EventOptions,
    threads: usize,
    prefix: Option<parallel::Prefix>,
    sink: &mut parallel::Sink,
) -> Result<(), Diagnostic> {
    if path == "-" || threads < 2 {
        let (mut on_event, on_bad) = sink.sequential(prefix);
        return read_input(path, input, opts, &mut on_event, on_bad);
    }
    let dir = Path::new(path);
    let paths = if dir.is_dir() {
        files(dir, input.glob.as_deref())?
            .iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect()
    } else {
        vec![path.to_string()]
    };
    for file in &paths {
        if is_ndjson(file) {
            let file_opts = with_source(opts, file);
            parallel::read_file(file, input.bytes.clone(), &file_opts, threads, prefix, sink)?;
        } else {
            let (mut on_event, on_bad) = sink.sequential(prefix);
            read_file(file, input, opts, &mut on_event, on_bad)?;
        }
    }
    Ok(())
}

/// Whether a file starts as JSON objects one per line: not compressed, CSV or EVTX, no byte
/// order mark, and `{` its first non-blank byte (a JSON array starts with `[`).
fn is_ndjson(path: &str) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(4096);
    if file.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    detect(&head, path) == Format::Json
        && head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Reads events of any detected format from a reader; `name` is shown in messages and its
/// extension (`.csv`, `.evtx`, `.gz`) helps detection.
pub fn read_stream(
    reader: impl Read,
    name: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    read_detected(Box::new(reader), name, name, opts, on_event, on_bad)
}

/// `hint` is the name whose extensions are still to be peeled (`a.csv.gz` → `a.csv`).
fn read_detected(
    reader: Box<dyn Read + '_>,
    name: &str,
    hint: &str,
    opts: &EventOptions,
    on_event: &mut dyn FnMut(Record),
    on_bad: &mut dyn FnMut(BadEvent),
) -> Result<(), Diagnostic> {
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    let head = reader.fill_buf().map_err(|e| json::read_error(name, &e))?;
    match detect(head, hint) {
        Format::Gzip => {
            let inner = hint
                .strip_suffix(".gz")
                .or_else(|| hint.strip_suffix(".gzip"))
                .unwrap_or("");
            let decoder = flate2::read::MultiGzDecoder::new(reader);
            read_detected(Box::new(decoder), name, inner, opts, on_event, on_bad)
        }
        Format::Evtx => {
            let mut bytes = Vec::new();
            reader
                .read_to_end(&mut bytes)
                .map_err(|e| json::read_error(name, &e))?;
            evtx::read(bytes, name, opts, on_event, on_bad)
        }
        Format::Csv => csv::read(reader, name, opts, on_event, on_bad),
        Format::Json => json::read_buffered(reader, name, opts, on_event, on_bad),
    }
}

/// Tells the format from the first bytes, then the name's extension, then the first character.
pub fn detect(head: &[u8], name: &str) -> Format {
    let lower = name.to_ascii_lowercase();
    if head.starts_with(&[0x1f, 0x8b]) {
        return Format::Gzip;
    }
    if head.starts_with(b"ElfFile\0") || (head.is_empty() && lower.ends_with(".evtx")) {
        return Format::Evtx;
    }
    if lower.ends_with(".csv") {
        return Format::Csv;
    }
    if lower.ends_with(".json") || lower.ends_with(".ndjson") || lower.ends_with(".jsonl") {
        return Format::Json;
    }
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    let first_line = text.split(|b| *b == b'\n').next().unwrap_or(&[]);
    match first {
        Some(b'{') | Some(b'[') | None => Format::Json,
        Some(_) if first_line.contains(&b',') => Format::Csv,
        Some(_) => Format::Json,
    }
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// A reader that adds the bytes it reads to a shared counter.
struct Counting<R> {
    inner: R,
    bytes: Option<Arc<AtomicU64>>,
}

impl<R> Counting<R> {
    /// Adds `n` bytes read to the counter.
    fn count(&self, n: usize) {
        if let Some(bytes) = &self.bytes {
            bytes.fetch_add(n as u64, Ordering::Relaxed);
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count(n);
        Ok(n)
    }
}
