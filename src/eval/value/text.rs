//! The text of a string value. Most field values are short (an IP address, a port's service,
//! a user, an action): those are kept inline, so parsing an event allocates nothing for them.
//! Longer texts (command lines, paths, messages) are shared, so copying a value never copies
//! its text.

use compact_str::CompactString;
use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// An immutable string: inline when short, reference-counted otherwise. It reads as a `str`.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    /// Only ever holds texts of up to [`Text::INLINE`] bytes, so never allocates.
    Inline(CompactString),
    Shared(Arc<str>),
}

impl Text {
    /// Texts up to this many bytes are kept inline (the most `CompactString` holds without a
    /// heap buffer on 64-bit targets).
    pub const INLINE: usize = 24;

    pub fn new(s: &str) -> Text {
        if s.len() <= Text::INLINE {
            Text(Repr::Inline(CompactString::new(s)))
        } else {
            Text(Repr::Shared(Arc::from(s)))
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(s) => s.as_str(),
            Repr::Shared(s) => s,
        }
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        if s.len() <= Text::INLINE {
            Text::new(&s)
        } else {
            Text(Repr::Shared(Arc::from(s)))
        }
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Text {
        Text(Repr::Shared(s))
    }
}

impl From<std::borrow::Cow<'_, str>> for Text {
    fn from(s: std::borrow::Cow<'_, str>) -> Text {
        match s {
            std::borrow::Cow::Borrowed(s) => Text::new(s),
            std::borrow::Cow::Owned(s) => Text::from(s),
        }
    }
}

impl From<char> for Text {
    fn from(c: char) -> Text {
        Text::new(c.encode_utf8(&mut [0; 4]))
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_every_length_on_both_sides_of_the_inline_limit() {
        for len in 0..=Text::INLINE * 2 {
            let s: String = "aé".chars().cycle().take(len).collect();
            for text in [
                Text::new(&s),
                Text::from(s.clone()),
                Text::from(Arc::from(s.as_str())),
            ] {
                assert_eq!(text.as_str(), s);
                assert_eq!(text.clone(), text);
            }
        }
        assert!(
            std::mem::size_of::<Text>() <= 24,
            "a text is three words at most"
        );
    }
}
