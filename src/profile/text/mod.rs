//! Go's text profiles: the `?debug=1` pages (module `debug1`) and goroutine dumps (module `dump`:
//! `?debug=2`, panics, fatal errors, SIGQUIT output, also inside a log), read as a stream into
//! the same [`Profile`] model as a protobuf (docs/goroutine-dumps.md).
//!
//! Memory grows with the distinct stacks, never with the text: lines are read through a small
//! buffer and frames, locations and samples are interned as they come.

pub(crate) mod debug1;
pub(crate) mod dump;
pub(crate) mod header;
mod lines;
mod model;
mod quoted;

use super::{Profile, ProfileError};
use std::io::Read;

pub use header::Debug1Kind;

/// How goroutine dumps are read (the options change nothing for other inputs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DumpOptions {
    /// A leaf frame `[STATE]` below each stack.
    pub state: bool,
    /// A root frame `[STATE]` above everything else.
    pub group_by_state: bool,
    /// A root frame naming the function that created the goroutine.
    pub created_by: bool,
    /// Fold the wait minutes instead of counting goroutines.
    pub minutes: bool,
    /// Keep the runtime's own goroutines (GC workers, ...).
    pub all_goroutines: bool,
}

/// What a text input was, for `--list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextInfo {
    /// `goroutine dump`, `goroutine profile (?debug=1 text)`, ...
    pub kind: String,
    /// Goroutines read (dumps) or records read (`?debug=1` texts).
    pub records: u64,
}

/// The result of trying to read an input as a goroutine dump.
pub(crate) enum DumpResult<R> {
    /// It is one.
    Dump(Box<Profile>),
    /// It is not (no goroutine header, or a NUL byte); the bytes retained (if asked for) and
    /// the rest of the input.
    NotADump(Option<Vec<u8>>, R),
}

/// Whether some complete line of `head` (the first bytes of an input) is a goroutine header.
pub(crate) fn has_header_line(head: &[u8]) -> bool {
    trimmed_lines(head)
        .any(|line| line.starts_with(b"goroutine ") && header::goroutine_header(line).is_some())
}

/// Whether some complete line of `head` is a goroutine header after a prefix (a log's
/// timestamp): a dump that is not recognised as one until the prefix is stripped.
pub fn has_prefixed_header_line(head: &[u8]) -> bool {
    trimmed_lines(head).any(|line| {
        memchr::memmem::find(line, b"goroutine ")
            .is_some_and(|at| at > 0 && header::goroutine_header(&line[at..]).is_some())
    })
}

/// The complete lines of `head`, trailing CR and blanks removed.
fn trimmed_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut lines = head.split(|&b| b == b'\n');
    lines.next_back(); // the last piece may be cut
    lines.map(|line| {
        let end = line
            .iter()
            .rposition(|b| !matches!(b, b'\r' | b' ' | b'\t'))
            .map_or(0, |e| e + 1);
        &line[..end]
    })
}

/// Reads a `?debug=1` text whose first line said it is `kind`.
pub(crate) fn read_debug1(
    kind: Debug1Kind,
    input: impl Read,
    gzip: bool,
) -> Result<Profile, ProfileError> {
    debug1::read(kind, input).map_err(|e| map_read_error(e, gzip))
}

/// Reads `input` as a goroutine dump; `retain` keeps what was read until the first goroutine
/// header, so that a caller without a second copy of the input can decode it otherwise.
pub(crate) fn read_dump<R: Read>(
    input: R,
    gzip: bool,
    retain: bool,
    options: &DumpOptions,
) -> Result<DumpResult<R>, ProfileError> {
    dump::read(input, retain, options).map_err(|e| map_read_error(e, gzip))
}

fn map_read_error(e: ProfileError, gzip: bool) -> ProfileError {
    match e {
        ProfileError::Read(io) => super::detect::read_error(io, gzip),
        other => other,
    }
}

/// The `text line N: MESSAGE` error.
pub(crate) fn line_error(line: usize, message: &str) -> ProfileError {
    ProfileError::TextLine {
        line,
        message: message.to_string(),
    }
}

/// The warning for a text that does not end with LF.
pub(crate) fn cut_warning(what: &str) -> String {
    format!("the text ends in the middle of a line (cut off?); the last {what} was left out")
}

/// `FILE:LINE` → (FILE, LINE): the digits after the last `:` (the whole text and 0 when there
/// are none).
pub(crate) fn file_and_line(location: &[u8]) -> (&[u8], i64) {
    if let Some(at) = memchr::memrchr(b':', location) {
        if let Some(n) = parse_decimal(&location[at + 1..]).and_then(|n| i64::try_from(n).ok()) {
            return (&location[..at], n);
        }
    }
    (location, 0)
}

/// Parses a hexadecimal `0x…` token.
pub(crate) fn parse_hex(token: &[u8]) -> Option<u64> {
    let digits = token.strip_prefix(b"0x")?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut value = 0u64;
    for &b in digits {
        let d = (b as char).to_digit(16)?;
        value = value << 4 | u64::from(d);
    }
    Some(value)
}

/// Parses a decimal token (digits only) that fits in 64 bits.
pub(crate) fn parse_decimal(token: &[u8]) -> Option<u64> {
    if token.is_empty() || token.len() > 20 {
        return None;
    }
    let mut value = 0u64;
    for &b in token {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(value)
}
