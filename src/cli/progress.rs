//! A one-line progress display on stderr for inputs that take more than a moment: shown only
//! when stderr is a terminal, after the first second, redrawn a few times a second, then erased.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Progress {
    enabled: bool,
    total: u64,
    bytes: Arc<AtomicU64>,
    started: Instant,
    last: Option<Instant>,
}

impl Progress {
    /// `total` bytes are to be read; `bytes` counts those read so far.
    pub fn new(total: u64, bytes: Arc<AtomicU64>) -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal() && std::env::var_os("NO_PROGRESS").is_none(),
            total,
            bytes,
            started: Instant::now(),
            last: None,
        }
    }

    /// Called for each event; redraws at most every 200 ms, from one second on.
    pub fn tick(&mut self, events: usize) {
        if !self.enabled || events % 1024 != 0 {
            return;
        }
        let now = Instant::now();
        if now - self.started < Duration::from_secs(1)
            || self
                .last
                .is_some_and(|t| now - t < Duration::from_millis(200))
        {
            return;
        }
        self.last = Some(now);
        let read = self.bytes.load(Ordering::Relaxed);
        let line = progress_line(read, self.total, events, now - self.started);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    /// Erases the line if one was drawn.
    pub fn finish(&mut self) {
        if self.last.take().is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// `[#########-----------]  45%  12.3 MB / 27.0 MB  120000 events  3s`
pub fn progress_line(read: u64, total: u64, events: usize, elapsed: Duration) -> String {
    let mb = |b: u64| b as f64 / 1_000_000.0;
    let secs = elapsed.as_secs();
    if total == 0 {
        return format!("reading: {events} events  {secs}s");
    }
    let fraction = (read as f64 / total as f64).min(1.0);
    let filled = (fraction * 20.0).round() as usize;
    format!(
        "[{}{}] {:>3.0}%  {:.1} MB / {:.1} MB  {events} events  {secs}s",
        "#".repeat(filled),
        "-".repeat(20 - filled),
        fraction * 100.0,
        mb(read),
        mb(total)
    )
}
