//! Colours on a terminal, plain text otherwise (and when `NO_COLOR` is set).

use std::io::IsTerminal;

pub struct Style {
    colour: bool,
}

impl Style {
    /// Colours when stdout is a terminal and `NO_COLOR` is unset.
    pub fn stdout() -> Self {
        Style {
            colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// A level in its usual colour: critical/high red, medium yellow, low/informational plain.
    pub fn level(&self, level: &str) -> String {
        match level {
            "critical" | "high" => self.red(level),
            "medium" => self.yellow(level),
            _ => level.to_string(),
        }
    }
}
