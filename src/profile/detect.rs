//! Input detection (docs/pprof-collapse.md, "Input formats"; docs/goroutine-dumps.md, "Input
//! detection"): gzip, then classification by the first bytes; Go's `?debug=1` texts by their
//! first line, goroutine dumps by the no-NUL rule (text never holds a NUL byte, every protobuf
//! profile does).

use super::ProfileError;
use std::io::ErrorKind;

/// What a (decompressed) input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A protobuf `Profile` (or something that must be decoded to find out).
    Protobuf,
    /// Text printed by `go tool pprof -raw`.
    RawText,
    /// One of Go's `?debug=1` texts.
    Debug1(super::text::Debug1Kind),
    /// No NUL byte in the first bytes and no other decision: a goroutine dump if the whole
    /// input has no NUL byte and a goroutine header; else [`classify_not_dump`] decides.
    MaybeDump,
}

/// The error for a failed read: a gzip error when the input is gzipped.
pub(crate) fn read_error(e: std::io::Error, gzip: bool) -> ProfileError {
    if gzip {
        gzip_error(&e)
    } else {
        ProfileError::Read(e)
    }
}

fn gzip_error(e: &std::io::Error) -> ProfileError {
    if e.kind() == ErrorKind::UnexpectedEof {
        ProfileError::GzipTruncated
    } else {
        ProfileError::GzipCorrupt(e.to_string())
    }
}

/// Classifies decompressed, non-empty data; the errors are the "not a profile" and
/// "not supported" decisions.
pub fn classify(data: &[u8]) -> Result<Kind, ProfileError> {
    if is_trace(data) {
        return Err(ProfileError::NotAProfile(
            "Go execution trace (from /debug/pprof/trace); use go tool trace",
        ));
    }
    if let Some(line) = first_text_line(data) {
        if let Some(kind) = classify_text(line)? {
            return Ok(kind);
        }
    }
    if memchr::memchr(0, data).is_none() {
        return Ok(Kind::MaybeDump);
    }
    classify_not_dump(data)
}

/// The decisions after the goroutine-dump one, for data that is no dump: folded stacks, a
/// jemalloc profile, JSON (after the dump test, as a log's first line may look like any of
/// them), gperftools, plain text, else protobuf.
pub fn classify_not_dump(data: &[u8]) -> Result<Kind, ProfileError> {
    if let Some(line) = first_text_line(data) {
        classify_text_not_dump(line)?;
    }
    if is_gperftools(data) {
        return Err(ProfileError::NotSupported("legacy gperftools CPU profile"));
    }
    if memchr::memchr(0, data).is_none() && super::text::has_prefixed_header_line(data) {
        return Err(ProfileError::NotAProfile(
            "a goroutine dump whose lines carry a prefix (a log's timestamps?); strip the prefix first, e.g. with sed or cut",
        ));
    }
    if is_plain_text(data) {
        return Err(ProfileError::NotAProfile(
            "plain text (an error message, or the wrong URL?)",
        ));
    }
    Ok(Kind::Protobuf)
}

/// The first non-blank line after optional whitespace and a UTF-8 BOM, when it is text (valid
/// UTF-8 without control characters other than tab and CR).
fn first_text_line(data: &[u8]) -> Option<&str> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let start = data.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &data[start..];
    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    let line = std::str::from_utf8(&rest[..end]).ok()?;
    let line = line.trim_end_matches(['\r', ' ', '\t']);
    let binary = line
        .chars()
        .any(|c| c.is_control() && c != '\t' && c != '\r');
    (!binary).then_some(line)
}

const RAW_HEADERS: [&str; 6] = [
    "Comment:",
    "Doc:",
    "PeriodType:",
    "Period:",
    "Time:",
    "Duration:",
];

fn classify_text(line: &str) -> Result<Option<Kind>, ProfileError> {
    if line == "Samples:" || RAW_HEADERS.iter().any(|h| line.starts_with(h)) {
        return Ok(Some(Kind::RawText));
    }
    if line.starts_with('<') {
        let lower = line.to_ascii_lowercase();
        return Err(ProfileError::NotAProfile(
            if lower.starts_with("<?xml") || lower.starts_with("<svg") {
                "looks like an SVG image"
            } else {
                "looks like an HTML page (the /debug/pprof/ index or an error page?)"
            },
        ));
    }
    if let Some(kind) = super::text::header::debug1_kind(line) {
        return Ok(Some(Kind::Debug1(kind)));
    }
    if super::text::header::is_legacy_text(line) {
        return Err(ProfileError::NotSupported(
            "legacy text profile (not one of Go's ?debug=1 formats)",
        ));
    }
    Ok(None)
}

/// The first-line decisions that come after the goroutine-dump one.
fn classify_text_not_dump(line: &str) -> Result<(), ProfileError> {
    if is_folded_line(line) {
        return Err(ProfileError::NotAProfile(
            "already folded stacks; pipe them into flamegraph",
        ));
    }
    if line.starts_with("heap_v2/") {
        return Err(ProfileError::NotSupported(
            "jemalloc heap profile (heap_v2); jeprof reads it",
        ));
    }
    if is_json(line) {
        return Err(ProfileError::NotAProfile(
            "looks like JSON (an API answer: is the URL the program's /debug/pprof/ endpoint?)",
        ));
    }
    Ok(())
}

/// A line that opens a JSON object or array (`{`, or `[` then a value).
fn is_json(line: &str) -> bool {
    let mut chars = line.chars();
    match chars.next() {
        Some('{') => true,
        Some('[') => {
            let next = chars.find(|c| !c.is_whitespace());
            next.is_none_or(|c| matches!(c, '{' | '[' | '"' | ']' | '-' | '0'..='9'))
        }
        _ => false,
    }
}

/// True when the start of `data` is plain text: valid UTF-8 (a sequence cut at the end of the
/// sample allowed) without control characters other than tab, CR and LF. A protobuf profile
/// never is: its first fields' tags and varints are control bytes.
fn is_plain_text(data: &[u8]) -> bool {
    let sample = &data[..data.len().min(4096)];
    let text = match std::str::from_utf8(sample) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            // cut inside a character at the end of the sample
            std::str::from_utf8(&sample[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    !text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
}

/// `^[^ ].* -?[0-9]+$` and contains `;`.
fn is_folded_line(line: &str) -> bool {
    if line.starts_with(' ') || !line.contains(';') {
        return false;
    }
    let Some((stack, count)) = line.rsplit_once(' ') else {
        return false;
    };
    let digits = count.strip_prefix('-').unwrap_or(count);
    !stack.is_empty() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `go 1.` followed by ` trace` within the first 16 bytes.
fn is_trace(data: &[u8]) -> bool {
    let head = &data[..data.len().min(16)];
    head.starts_with(b"go 1.") && head.windows(6).any(|w| w == b" trace")
}

/// The gperftools CPU profile header: words 0 and 3, 32- or 64-bit, either byte order.
fn is_gperftools(data: &[u8]) -> bool {
    const PATTERNS: [&[u8]; 4] = [
        &[0, 0, 0, 0, 3, 0, 0, 0],
        &[0, 0, 0, 0, 0, 0, 0, 3],
        &[0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0],
        &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3],
    ];
    PATTERNS.iter().any(|p| data.starts_with(p))
}
