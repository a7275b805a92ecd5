//! The crate's one error type, and `Unavailable`, the reason a fact or a
//! measurement cannot be had on this machine.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why something cannot be known or measured here. Reads well after a colon:
/// "perf counters: unavailable (no PMU in this VM)".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unavailable {
    /// One short sentence, no trailing full stop.
    pub unavailable: String,
}

impl Unavailable {
    /// A reason, in a few words.
    pub fn new(reason: impl Into<String>) -> Self {
        Unavailable {
            unavailable: reason.into(),
        }
    }

    /// The reason text.
    pub fn reason(&self) -> &str {
        &self.unavailable
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unavailable ({})", self.unavailable)
    }
}

impl std::error::Error for Unavailable {}

/// Everything that can go wrong in hpp, each with a message that says what to
/// do instead. `Debug` prints the same message as `Display`, because that is
/// what evcxr shows when a cell's `?` returns an error.
pub enum Error {
    /// A request that makes no sense (zero sizes, absurd counts, unknown names).
    BadInput(String),
    /// A request that would not fit in this machine's memory or disk.
    TooBig {
        /// What was asked for.
        what: String,
        /// Bytes it would need.
        needed_bytes: u64,
        /// Bytes there are.
        available_bytes: u64,
    },
    /// Something this machine cannot do or tell.
    Unavailable(Unavailable),
    /// A file or stream could not be read or written.
    Io {
        /// What was being done, e.g. "writing plot.svg".
        context: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A plot could not be drawn.
    Plot(String),
    /// JSON that could not be read or written.
    Json(String),
    /// The reader's Python raised an exception (its traceback was printed
    /// where the snippet's output goes; the message names the exception).
    Python {
        /// Python's own traceback.
        traceback: String,
    },
    /// A bug in hpp itself (an experiment panicked); the message says where.
    Bug(String),
}

impl Error {
    /// A bad-input error with its message.
    pub fn bad_input(msg: impl Into<String>) -> Self {
        Error::BadInput(msg.into())
    }

    /// An I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadInput(m) => write!(f, "{m}"),
            Error::TooBig {
                what,
                needed_bytes,
                available_bytes,
            } => write!(
                f,
                "{what} needs {} but only {} is available: choose a smaller size",
                crate::units::fmt_bytes(*needed_bytes),
                crate::units::fmt_bytes(*available_bytes)
            ),
            Error::Unavailable(u) => write!(f, "{u}"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Plot(m) => write!(f, "could not draw the plot: {m}"),
            Error::Json(m) => write!(f, "JSON: {m}"),
            Error::Bug(m) => write!(
                f,
                "a bug in hpp: {m} (please report it; the other experiments are not affected)"
            ),
            Error::Python { traceback } => {
                write!(
                    f,
                    "the Python snippet raised {} (its traceback is printed above)",
                    traceback
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("an exception")
                        .trim()
                )
            }
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<Unavailable> for Error {
    fn from(u: Unavailable) -> Self {
        Error::Unavailable(u)
    }
}

/// `Result` with hpp's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A fact about the machine: known, or unavailable with a reason. Serialises
/// as the bare value, or as `{"unavailable": "reason"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Fact<T> {
    /// Read or measured on this machine.
    Known(T),
    /// Could not be read here, and why.
    Unavailable(Unavailable),
}

impl<T> Fact<T> {
    /// An unavailable fact with its reason.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Fact::Unavailable(Unavailable::new(reason))
    }

    /// The value, if known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(v) => Some(v),
            Fact::Unavailable(_) => None,
        }
    }

    /// True when known.
    pub fn is_known(&self) -> bool {
        matches!(self, Fact::Known(_))
    }

    /// Convert to a `Result`.
    pub fn as_result(&self) -> std::result::Result<&T, &Unavailable> {
        match self {
            Fact::Known(v) => Ok(v),
            Fact::Unavailable(u) => Err(u),
        }
    }

    /// Map the known value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fact<U> {
        match self {
            Fact::Known(v) => Fact::Known(f(v)),
            Fact::Unavailable(u) => Fact::Unavailable(u),
        }
    }

    /// Keep this fact if known, else try `other`.
    pub fn or_else(self, other: impl FnOnce() -> Fact<T>) -> Fact<T> {
        match self {
            Fact::Known(v) => Fact::Known(v),
            Fact::Unavailable(_) => other(),
        }
    }
}

impl<T> From<std::result::Result<T, Unavailable>> for Fact<T> {
    fn from(r: std::result::Result<T, Unavailable>) -> Self {
        match r {
            Ok(v) => Fact::Known(v),
            Err(u) => Fact::Unavailable(u),
        }
    }
}

impl<T: fmt::Display> fmt::Display for Fact<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fact::Known(v) => write!(f, "{v}"),
            Fact::Unavailable(u) => write!(f, "{u}"),
        }
    }
}
