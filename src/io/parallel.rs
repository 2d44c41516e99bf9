//! One object per line, on several threads: each thread in turn cuts the next batch of lines
//! from the file (`Cutter`), parses each line and runs the plan's streaming prefix on it, and
//! the calling thread (one of them) takes the results in input order. A file that turns out to
//! spread an object over lines is read on from that line by the sequential reader.

use super::json::{read_error, read_lines, read_one, Line};
use super::{BadEvent, Counting};
use crate::diagnostic::Diagnostic;
use crate::eval::event::{EventOptions, Record};
use std::collections::BTreeMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::sync::mpsc::{sync_channel, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

/// Work done on each parsed event on the worker threads (a plan's streaming prefix); what it
/// passes on is added to the vector.
pub type Prefix<'p> = &'p (dyn Fn(Record, &mut Vec<Record>) + Sync);

/// Where the events of a parallel read go, all on the calling thread and in input order.
pub struct Sink<'s> {
    /// Each record the prefix passes on (each event, without a prefix).
    pub output: &'s mut dyn FnMut(Record),
    /// Called once for each event parsed.
    pub parsed: &'s mut dyn FnMut(),
    pub bad: &'s mut dyn FnMut(BadEvent),
}

/// A callback taking each event.
type EventFn<'a> = Box<dyn FnMut(Record) + 'a>;

impl Sink<'_> {
    /// The sink as a plain event callback: each event goes through the prefix here.
    pub(super) fn sequential<'a>(
        &'a mut self,
        prefix: Option<Prefix<'a>>,
    ) -> (EventFn<'a>, &'a mut dyn FnMut(BadEvent)) {
        let Sink {
            output,
            parsed,
            bad,
        } = self;
        let mut out = Vec::new();
        let on_event = Box::new(move |record: Record| {
            parsed();
            match prefix {
                Some(prefix) => {
                    prefix(record, &mut out);
                    out.drain(..).for_each(&mut **output);
                }
                None => output(record),
            }
        });
        (on_event, &mut **bad)
    }
}

/// Bytes per batch: enough lines to keep a thread busy for a while, few enough that the
/// batches in flight stay small. Measured on the seed with two threads and spare texts reused
/// ([`Spare`]): 192 KiB 0.96 s and 58 MB, 256 KiB 0.89 s and 60.6 MB (the most of six runs),
/// 384 KiB 0.88 s but once 64.2 MB, 512 KiB no faster.
const BATCH_BYTES: usize = 256 << 10;

/// Batch texts the threads are done with, to be filled again by the next cut: a text buffer is
/// not allocated and paged in for every batch, which keeps the peak memory lower.
type Spare = Mutex<Vec<Vec<u8>>>;

/// A run of lines of the file.
struct Batch {
    seq: usize,
    /// Lines before the batch's first.
    line_no: usize,
    /// The lines' text, one after the other.
    text: Vec<u8>,
    /// How many bytes of the file the batch stands for (a line too long keeps only a part).
    bytes: u64,
    lines: Vec<LineAt>,
}

/// One line of a batch.
struct LineAt {
    /// Where its text starts and ends in the batch's text.
    start: usize,
    end: usize,
    /// Whether it was read whole (within `max_line`).
    whole: bool,
    /// Where it starts in the file.
    offset: u64,
}

/// A batch read by a worker: each line's outcome, prefix applied.
struct Done {
    batch: Batch,
    lines: Vec<Outcome>,
    /// The records the lines' events became, one after the other.
    records: Vec<Record>,
}

enum Outcome {
    Nothing,
    /// An event read but skipped, or dropped as it was parsed, by the optimiser.
    Skipped,
    /// An event, which became this many of `Done::records`.
    Event(usize),
    Opens,
    Bad(String),
}

/// Reads `path` (one JSON object per line) on `threads` worker threads.
pub fn read_file(
    path: &str,
    bytes: Option<Arc<std::sync::atomic::AtomicU64>>,
    opts: &EventOptions,
    threads: usize,
    prefix: Option<Prefix>,
    sink: &mut Sink,
) -> Result<(), Diagnostic> {
    let open = || std::fs::File::open(path).map_err(|e| read_error(path, &e));
    let cutter = Mutex::new(Cutter::new(
        Counting {
            inner: open()?,
            bytes,
        },
        opts.max_line,
        BATCH_BYTES,
    ));
    // At most this many batch texts exist at once: those in the channel, and one being read or
    // parsed by each thread.
    let spare: Spare = Mutex::new(Vec::with_capacity(2 * threads + 2));
    let reading = Reading {
        cutter: &cutter,
        opts,
        prefix,
        spare: &spare,
    };
    let resume = std::thread::scope(|scope| -> Result<Option<(usize, u64)>, Diagnostic> {
        let (done_tx, done_rx) = sync_channel::<std::io::Result<Done>>(threads);
        // This thread is the last of the `threads` (see `merge`).
        for _ in 1..threads.max(2) {
            let (reading, done_tx) = (&reading, done_tx.clone());
            scope.spawn(move || work(reading, &done_tx));
        }
        drop(done_tx);
        let resume = merge(&done_rx, &reading, path, sink);
        drop(done_rx);
        resume
    })?;
    // An object spread over lines: the sequential reader goes on from its first line.
    if let Some((line_no, offset)) = resume {
        let mut file = open()?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| read_error(path, &e))?;
        let (mut on_event, on_bad) = sink.sequential(prefix);
        read_lines(
            BufReader::new(file),
            path,
            line_no,
            opts,
            &mut on_event,
            on_bad,
        )?;
    }
    Ok(())
}

/// The file cut into batches of whole lines, in order, by whichever thread needs the next one:
/// there is no reader thread (on two cores, a reader beside two busy threads made three take
/// turns, and the pipeline idled at each hand-over).
struct Cutter<R> {
    reader: Counting<R>,
    /// The start of a line left over from the batch before.
    carry: Vec<u8>,
    seq: usize,
    line_no: usize,
    offset: u64,
    /// The file ended, or reading it failed.
    over: bool,
    max_line: usize,
    batch_bytes: usize,
}

impl<R: Read> Cutter<R> {
    fn new(reader: Counting<R>, max_line: usize, batch_bytes: usize) -> Cutter<R> {
        Cutter {
            reader,
            carry: Vec::new(),
            seq: 0,
            line_no: 0,
            offset: 0,
            over: false,
            max_line,
            batch_bytes,
        }
    }

    /// The next batch (its text a spare buffer, when there is one); `None` after the last, and
    /// after a read error (which comes once).
    fn next(&mut self, spare: &Spare) -> Option<std::io::Result<Batch>> {
        while !self.over {
            let text = spare
                .lock()
                .ok()
                .and_then(|mut s| s.pop())
                .unwrap_or_default();
            let block = match next_block(
                &mut self.reader,
                &mut self.carry,
                text,
                self.max_line,
                self.batch_bytes,
            ) {
                Ok(block) => block,
                Err(e) => {
                    self.over = true;
                    return Some(Err(e));
                }
            };
            self.over = block.end;
            let batch = Batch::new(self.seq, self.line_no, self.offset, block, self.max_line);
            self.seq += 1;
            self.line_no += batch.lines.len();
            self.offset += batch.bytes;
            // Only the last block may hold no line.
            if !batch.lines.is_empty() {
                return Some(Ok(batch));
            }
        }
        None
    }
}

/// Whole lines read from the file.
struct Block {
    text: Vec<u8>,
    /// Bytes of the file not kept: the part past `max_line` of a line too long (always the
    /// block's last line).
    dropped: u64,
    /// Whether the file ended.
    end: bool,
}

/// The next block of whole lines, read into `text` (a spare buffer, its contents dropped);
/// `carry` holds the start of a line left over from the block before. Of a line longer than
/// `max_line`, only the first `max_line + 1` bytes are kept (enough to tell it was too long),
/// and it ends the block.
fn next_block(
    reader: &mut Counting<impl Read>,
    carry: &mut Vec<u8>,
    mut text: Vec<u8>,
    max_line: usize,
    batch_bytes: usize,
) -> std::io::Result<Block> {
    text.clear();
    text.append(carry);
    // The end of the last whole line in `text`.
    let mut whole_end = 0;
    loop {
        if let Some(i) = memchr::memrchr(b'\n', text.get(whole_end..).unwrap_or_default()) {
            whole_end += i + 1;
        }
        if whole_end > 0 && text.len() >= batch_bytes {
            carry.extend_from_slice(text.get(whole_end..).unwrap_or_default());
            text.truncate(whole_end);
            return Ok(Block {
                text,
                dropped: 0,
                end: false,
            });
        }
        if text.len() - whole_end > max_line + 1 {
            let kept = whole_end + max_line + 1;
            let read_past = (text.len() - kept) as u64;
            text.truncate(kept);
            let (skipped, rest) = skip_line(reader)?;
            let dropped = read_past + skipped;
            let end = rest.is_none();
            if !end {
                text.push(b'\n');
            }
            *carry = rest.unwrap_or_default();
            return Ok(Block { text, dropped, end });
        }
        if read_more(reader, &mut text, batch_bytes)? == 0 {
            return Ok(Block {
                text,
                dropped: 0,
                end: true,
            });
        }
    }
}

/// Appends up to a block's worth of bytes to `text`; 0 at the end of the input. The bytes go
/// into the vector's spare room, which a `File` reads into as it is: zero-filling the block
/// before each read (as `read` into a slice needs) cost a twentieth of the reading thread.
fn read_more(
    reader: &mut Counting<impl Read>,
    text: &mut Vec<u8>,
    most: usize,
) -> std::io::Result<usize> {
    let n = reader
        .inner
        .by_ref()
        .take(most.max(1) as u64)
        .read_to_end(text)?;
    reader.count(n);
    Ok(n)
}

/// Reads past the end of the current line: the bytes dropped before its `\n`, and what was
/// read after it (`None` when the input ended first).
fn skip_line(reader: &mut Counting<impl Read>) -> std::io::Result<(u64, Option<Vec<u8>>)> {
    let mut dropped = 0u64;
    let mut chunk = Vec::new();
    loop {
        chunk.clear();
        if read_more(reader, &mut chunk, BATCH_BYTES)? == 0 {
            return Ok((dropped, None));
        }
        match memchr::memchr(b'\n', &chunk) {
            Some(i) => return Ok((dropped + i as u64, Some(chunk.split_off(i + 1)))),
            None => dropped += chunk.len() as u64,
        }
    }
}

impl Batch {
    fn new(seq: usize, line_no: usize, offset: u64, block: Block, max_line: usize) -> Batch {
        let text = block.text;
        let mut lines = Vec::new();
        let mut start = 0;
        let mut file_at = offset;
        while start < text.len() {
            let rest = text.get(start..).unwrap_or_default();
            let (len, newline) = match memchr::memchr(b'\n', rest) {
                Some(i) => (i + 1, true),
                None => (rest.len(), false),
            };
            let whole = if newline {
                len <= max_line + 1
            } else {
                len <= max_line
            };
            lines.push(LineAt {
                start,
                end: start + len,
                whole,
                offset: file_at,
            });
            start += len;
            file_at += len as u64;
        }
        Batch {
            seq,
            line_no,
            bytes: text.len() as u64 + block.dropped,
            text,
            lines,
        }
    }
}

/// A worker thread: batches read until the file ends or nobody listens.
fn work(reading: &Reading<impl Read>, out: &std::sync::mpsc::SyncSender<std::io::Result<Done>>) {
    while let Some(done) = reading.next_batch() {
        if out.send(done).is_err() {
            return;
        }
    }
}

/// Each line of the batch read alone, the prefix run on its event.
fn read_batch(
    mut batch: Batch,
    opts: &EventOptions,
    prefix: Option<Prefix>,
    spare: &Spare,
) -> Done {
    let mut records = Vec::with_capacity(batch.lines.len());
    let lines = batch
        .lines
        .iter()
        .map(|at| {
            let text = batch.text.get(at.start..at.end).unwrap_or_default();
            match read_one(text, at.whole, opts) {
                Line::Nothing => Outcome::Nothing,
                Line::Skipped => Outcome::Skipped,
                Line::Event(record) => {
                    let before = records.len();
                    match prefix {
                        Some(prefix) => prefix(record, &mut records),
                        None => records.push(record),
                    }
                    Outcome::Event(records.len() - before)
                }
                Line::Opens => Outcome::Opens,
                Line::Bad(message) => Outcome::Bad(message),
            }
        })
        .collect();
    // The records own their values: the text goes back to be filled again.
    if let Ok(mut spare) = spare.lock() {
        if spare.len() < spare.capacity() {
            spare.push(std::mem::take(&mut batch.text));
        }
    }
    Done {
        batch,
        lines,
        records,
    }
}

/// What every thread reading the file shares: the cutter, and what each line goes through.
struct Reading<'a, R> {
    cutter: &'a Mutex<Cutter<R>>,
    opts: &'a EventOptions,
    prefix: Option<Prefix<'a>>,
    spare: &'a Spare,
}

impl<R: Read> Reading<'_, R> {
    /// The next batch cut and read on this thread; `None` once the file is all cut.
    fn next_batch(&self) -> Option<std::io::Result<Done>> {
        let batch = self.cutter.lock().ok()?.next(self.spare)?;
        Some(batch.map(|b| read_batch(b, self.opts, self.prefix, self.spare)))
    }
}

/// The calling thread: the batches in order into the sink. It is one of the `threads` (one
/// worker fewer is started): while no batch is ready to merge it reads one itself, so no core
/// idles while it waits. Returns where the sequential reader must go on (lines before, byte
/// offset) when a line opens an object spread over lines.
fn merge(
    done: &Receiver<std::io::Result<Done>>,
    reading: &Reading<impl Read>,
    name: &str,
    sink: &mut Sink,
) -> Result<Option<(usize, u64)>, Diagnostic> {
    let mut waiting: BTreeMap<usize, Done> = BTreeMap::new();
    let mut next = 0;
    // A read error ends the run once the batches before it are in.
    let mut failed: Option<std::io::Error> = None;
    loop {
        // A batch the workers are done with; else one read here; else wait for the workers.
        let result = match done.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => match reading.next_batch() {
                Some(result) => result,
                None => match done.recv() {
                    Ok(result) => result,
                    Err(_) => break,
                },
            },
        };
        match result {
            Ok(d) => {
                waiting.insert(d.batch.seq, d);
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
        while let Some(d) = waiting.remove(&next) {
            next += 1;
            let mut records = d.records.into_iter();
            for (i, (outcome, at)) in d.lines.into_iter().zip(&d.batch.lines).enumerate() {
                let line = d.batch.line_no + i + 1;
                match outcome {
                    Outcome::Nothing => {}
                    // Counted here, when taken in order: a batch read past an object spread
                    // over lines is read again.
                    Outcome::Skipped => (sink.parsed)(),
                    Outcome::Event(n) => {
                        (sink.parsed)();
                        records.by_ref().take(n).for_each(&mut *sink.output);
                    }
                    Outcome::Bad(message) => (sink.bad)(BadEvent {
                        source: name.to_string(),
                        line,
                        message,
                    }),
                    Outcome::Opens => return Ok(Some((line - 1, at.offset))),
                }
            }
        }
    }
    match failed {
        Some(e) => Err(read_error(name, &e)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines `cut` hands out, as (text, whole, offset), for any batch size.
    fn lines(input: &[u8], max_line: usize, batch_bytes: usize) -> Vec<(Vec<u8>, bool, u64)> {
        let input = Counting {
            inner: input,
            bytes: None,
        };
        let mut cutter = Cutter::new(input, max_line, batch_bytes);
        let spare = Mutex::new(Vec::new());
        let batches: Vec<_> = std::iter::from_fn(|| cutter.next(&spare)).collect();
        let mut out = Vec::new();
        let mut line_no = 0;
        for batch in batches {
            let batch = batch.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(batch.line_no, line_no);
            line_no += batch.lines.len();
            for at in &batch.lines {
                let text = batch
                    .text
                    .get(at.start..at.end)
                    .unwrap_or_default()
                    .to_vec();
                out.push((text, at.whole, at.offset));
            }
        }
        out
    }

    /// What `json::read_line` makes of the same input, line by line.
    fn reference(input: &[u8], max_line: usize) -> Vec<(bool, u64)> {
        let mut reader = std::io::BufReader::with_capacity(7, input);
        let mut out = Vec::new();
        let mut offset = 0u64;
        let mut rest = input;
        loop {
            let mut buf = Vec::new();
            let whole = super::super::json::read_line(&mut reader, &mut buf, max_line)
                .unwrap_or_else(|e| panic!("{e}"));
            if buf.is_empty() && whole {
                return out;
            }
            out.push((whole, offset));
            let len = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
            offset += len as u64;
            rest = rest.get(len..).unwrap_or_default();
        }
    }

    #[test]
    fn blocks_cut_lines_as_the_sequential_reader_does() {
        let mut input = Vec::new();
        for i in 0..200 {
            let width = (i * 37) % 50;
            input.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, width));
            if i % 3 == 0 {
                input.push(b'\r');
            }
            input.push(b'\n');
        }
        input.extend_from_slice(b"last line without newline");
        for max_line in [1, 10, 30, 49, 50, 51, 1000] {
            let expected = reference(&input, max_line);
            for batch_bytes in [1, 2, 7, 64, 100, 4096, 1 << 20] {
                let got = lines(&input, max_line, batch_bytes);
                let got: Vec<(bool, u64)> = got.iter().map(|(_, w, o)| (*w, *o)).collect();
                assert_eq!(got, expected, "max_line {max_line}, batch {batch_bytes}");
            }
        }
    }

    #[test]
    fn whole_lines_keep_their_text() {
        let input = b"{\"a\":1}\n\n{\"b\":2}\r\nxyz";
        let got = lines(input, 100, 3);
        let texts: Vec<&[u8]> = got.iter().map(|(t, _, _)| t.as_slice()).collect();
        assert_eq!(
            texts,
            vec![&b"{\"a\":1}\n"[..], b"\n", b"{\"b\":2}\r\n", b"xyz"]
        );
    }
}
