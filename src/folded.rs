//! The folded-stack text format: one stack per line, `frame;frame;frame COUNT`.
//!
//! Reading follows flamegraph.pl's line grammar (docs/flamegraph.md, "Input format") with two
//! deliberate differences: trailing CR and blanks are ignored, and input is read as lossy UTF-8
//! with a byte-order mark dropped.
//! The reader streams: one reused line buffer, nothing kept between lines.
//! The writer (used by `pprof-collapse`) appends frames straight into one output buffer, so no
//! line is ever built as a `String`.

use std::io::{self, BufRead, Write};

/// A count, or a sum of counts, with Perl's number semantics (docs/flamegraph.md, "Input
/// format"): a count without `.` is an exact unsigned integer, and sums of integers stay exact
/// until they pass 2^64 − 1; a count with `.` is a double, and adding a double (or
/// overflowing) gives a double from then on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Count {
    /// An exact integer.
    Int(u64),
    /// A double.
    Real(f64),
}

impl Count {
    /// The integer 0.
    pub const ZERO: Count = Count::Int(0);

    /// The sum, exact while both are integers and it fits in 64 bits.
    #[inline]
    #[must_use]
    pub fn plus(self, other: Count) -> Count {
        if let (Count::Int(a), Count::Int(b)) = (self, other) {
            if let Some(sum) = a.checked_add(b) {
                return Count::Int(sum);
            }
        }
        Count::Real(self.to_f64() + other.to_f64())
    }

    /// The nearest double.
    #[inline]
    pub fn to_f64(self) -> f64 {
        match self {
            Count::Int(n) => n as f64,
            Count::Real(x) => x,
        }
    }

    /// `self − before` as the nearest double of the exact difference when both are
    /// integers, else the difference of the doubles.
    #[inline]
    pub fn minus(self, before: Count) -> f64 {
        match (self, before) {
            // u64 differences convert in one instruction; i128 ones need a library call
            (Count::Int(a), Count::Int(b)) if a >= b => (a - b) as f64,
            (Count::Int(a), Count::Int(b)) => -((b - a) as f64),
            _ => self.to_f64() - before.to_f64(),
        }
    }

    /// True for an integer or a double that is 0.
    pub fn is_zero(self) -> bool {
        self.to_f64() == 0.0
    }
}

/// The count column(s) of one folded line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Counts {
    /// An ordinary line: `STACK COUNT`.
    One(Count),
    /// A differential line: `STACK BEFORE AFTER` (widths use `AFTER`).
    Two(Count, Count),
}

impl Counts {
    /// The count that gives the stack its width: the only count, or the second of two.
    #[inline]
    pub fn width(self) -> Count {
        match self {
            Counts::One(c) => c,
            Counts::Two(_, c2) => c2,
        }
    }
}

/// Splits a line (already without its line terminator) into stack text and counts.
///
/// Trailing CR, space and tab characters are ignored first. Returns `None` for a line
/// that is not `STACK WS COUNT` (an invalid line, counted and skipped by the caller).
pub fn parse_line(line: &str) -> Option<(&str, Counts)> {
    let line = line.trim_end_matches(['\r', ' ', '\t']);
    let (stack, c2) = split_count(line)?;
    match split_count(stack) {
        Some((inner, c1)) => Some((inner, Counts::Two(c1, c2))),
        None => Some((stack, Counts::One(c2))),
    }
}

/// Matches `^(STACK)WS(COUNT)$` with a greedy STACK: COUNT is the trailing run of digits and
/// dots (it must be `[0-9]+(\.[0-9]*)?`) and exactly one whitespace character precedes it.
fn split_count(text: &str) -> Option<(&str, Count)> {
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .rposition(|b| !(b.is_ascii_digit() || *b == b'.'))
        .map_or(0, |p| p + 1);
    let count = &text[start..];
    if !is_count(count.as_bytes()) {
        return None;
    }
    let head = &text[..start];
    let ws = head.chars().next_back()?;
    if !ws.is_whitespace() {
        return None;
    }
    let stack = &head[..head.len() - ws.len_utf8()];
    Some((stack, parse_count(count)))
}

/// The stack part of `text` when it ends in whitespace, `-` and a count (`STACK -COUNT`).
fn split_negative(text: &str) -> Option<&str> {
    let start = text
        .bytes()
        .rposition(|b| !(b.is_ascii_digit() || b == b'.'))
        .map_or(0, |p| p + 1);
    if !is_count(&text.as_bytes()[start..]) {
        return None;
    }
    let head = text[..start].strip_suffix('-')?;
    let ws = head.chars().next_back()?;
    ws.is_whitespace()
        .then(|| &head[..head.len() - ws.len_utf8()])
}

/// True when a line that [`parse_line`] rejects would be valid but for a negative last count:
/// the lines of delta profiles and subtractions. (`a -3 5` is valid: stack `a -3`, count 5.)
pub fn has_negative_count(line: &str) -> bool {
    let line = line.trim_end_matches(['\r', ' ', '\t']);
    split_negative(line).is_some()
}

/// `[0-9]+(\.[0-9]*)?` on a run that holds only digits and dots.
fn is_count(run: &[u8]) -> bool {
    let int_len = run.iter().take_while(|b| b.is_ascii_digit()).count();
    if int_len == 0 {
        return false;
    }
    match run.get(int_len) {
        None => true,
        Some(b'.') => run[int_len + 1..].iter().all(u8::is_ascii_digit),
        Some(_) => false,
    }
}

/// The count text as a [`Count`]: an integer when it has no `.` and fits in 64 bits, else the
/// nearest double.
fn parse_count(text: &str) -> Count {
    if !text.contains('.') {
        if text.len() <= 19 {
            let mut value = 0u64;
            for b in text.bytes() {
                value = value * 10 + u64::from(b - b'0');
            }
            return Count::Int(value);
        }
        if let Ok(value) = text.parse::<u64>() {
            return Count::Int(value);
        }
    }
    let text = text.strip_suffix('.').unwrap_or(text);
    Count::Real(text.parse().unwrap_or(0.0))
}

/// The part of `stack` whose `;`-separated fields are the frames: trailing empty fields
/// dropped, and with `reverse` leading ones too (they would trail after reversing).
/// An empty result means no frame at all.
pub fn frame_text(stack: &str, reverse: bool) -> &str {
    let stack = stack.trim_end_matches(';');
    if reverse {
        stack.trim_start_matches(';')
    } else {
        stack
    }
}

/// Streams the lines of one input, decoded lossily as UTF-8, without the line terminator.
///
/// A leading UTF-8 byte-order mark is dropped; a last line without a final newline is a line.
/// Invalid UTF-8 sequences become U+FFFD.
pub struct LineReader<R> {
    reader: R,
    /// Bytes of the last line returned straight from the reader's buffer, consumed on the
    /// next call.
    pending: usize,
    buf: Vec<u8>,
    lossy: String,
    first: bool,
}

impl<R: BufRead> LineReader<R> {
    /// Wraps a buffered reader.
    pub fn new(reader: R) -> Self {
        LineReader {
            reader,
            pending: 0,
            buf: Vec::new(),
            lossy: String::new(),
            first: true,
        }
    }

    /// The next line, or `None` at the end of the input.
    ///
    /// A line that lies whole in the reader's buffer is returned from there, without a copy;
    /// one that spans a refill is gathered in a reused buffer.
    pub fn next_line(&mut self) -> io::Result<Option<&str>> {
        self.reader.consume(std::mem::take(&mut self.pending));
        let newline = memchr::memchr(b'\n', self.reader.fill_buf()?);
        let line: &[u8] = match newline {
            Some(end) => {
                self.pending = end + 1;
                // the same, unconsumed buffer again (fill_buf does not read while it holds data)
                &self.reader.fill_buf()?[..end]
            }
            None => {
                self.buf.clear();
                if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
                    return Ok(None);
                }
                let line = &self.buf[..];
                line.strip_suffix(b"\n").unwrap_or(line)
            }
        };
        let line = if self.first {
            self.first = false;
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
        } else {
            line
        };
        match std::str::from_utf8(line) {
            Ok(text) => Ok(Some(text)),
            Err(_) => {
                self.lossy = String::from_utf8_lossy(line).into_owned();
                Ok(Some(&self.lossy))
            }
        }
    }
}

/// Reads every line of `reader`, calling `on_line` with the stack text (not yet split, see
/// [`frame_text`]) and counts of each valid line. Returns the lines skipped.
pub fn read_lines<R, F>(reader: R, mut on_line: F) -> io::Result<Skipped>
where
    R: BufRead,
    F: FnMut(&str, Counts),
{
    let mut lines = LineReader::new(reader);
    let mut skipped = Skipped::default();
    while let Some(line) = lines.next_line()? {
        match parse_line(line) {
            Some((stack, counts)) => on_line(stack, counts),
            None if has_negative_count(line) => skipped.negative += 1,
            None => skipped.invalid += 1,
        }
    }
    Ok(skipped)
}

/// The lines a reader skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Lines that are not `STACK COUNT` (or `STACK COUNT COUNT`).
    pub invalid: u64,
    /// Lines that would be, but for a negative count (see [`has_negative_count`]).
    pub negative: u64,
}

impl std::ops::AddAssign for Skipped {
    fn add_assign(&mut self, other: Skipped) {
        self.invalid += other.invalid;
        self.negative += other.negative;
    }
}

// Writing

/// Writes folded lines (`STACK VALUE` + LF) to a writer through its own large buffer, frame by
/// frame, so that no line is ever built as a `String`.
pub struct FoldedWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
    line_start: usize,
}

/// Buffered bytes that trigger a write to the inner writer.
const FLUSH_AT: usize = 1 << 16;

impl<W: Write> FoldedWriter<W> {
    /// A writer of folded lines into `inner`.
    pub fn new(inner: W) -> Self {
        FoldedWriter {
            inner,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            line_start: 0,
        }
    }

    /// Appends one frame to the current line (with `;` before all but the first).
    #[inline]
    pub fn frame(&mut self, text: &[u8]) {
        if self.buf.len() > self.line_start {
            self.buf.push(b';');
        }
        self.buf.extend_from_slice(text);
    }

    /// Appends frames that are each preceded by `;` (`;a;b`); the first `;` of a line is
    /// left out.
    #[inline]
    pub fn separated_frames(&mut self, text: &[u8]) {
        let text = match text.split_first() {
            Some((_, rest)) if self.buf.len() == self.line_start => rest,
            _ => text,
        };
        self.buf.extend_from_slice(text);
    }

    /// Ends the current line with ` VALUE` and a line feed.
    #[inline]
    pub fn end_line(&mut self, value: i128) -> io::Result<()> {
        self.buf.push(b' ');
        push_decimal(&mut self.buf, value);
        self.buf.push(b'\n');
        if self.buf.len() >= FLUSH_AT {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.line_start = self.buf.len();
        Ok(())
    }

    /// Writes out what is buffered and flushes; returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.inner.flush()?;
        Ok(self.inner)
    }
}

/// Appends `value` in decimal (with `-` when negative).
pub fn push_decimal(buf: &mut Vec<u8>, value: i128) {
    if value < 0 {
        buf.push(b'-');
    }
    let mut n = value.unsigned_abs();
    let mut digits = [0u8; 40];
    let mut i = digits.len();
    if let Ok(mut small) = u64::try_from(n) {
        loop {
            i -= 1;
            digits[i] = b'0' + (small % 10) as u8;
            small /= 10;
            if small == 0 {
                break;
            }
        }
    } else {
        while n > 0 {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_and_two_counts() {
        assert_eq!(
            parse_line("a;b 10"),
            Some(("a;b", Counts::One(Count::Int(10))))
        );
        assert_eq!(
            parse_line("a;b 1 5"),
            Some(("a;b", Counts::Two(Count::Int(1), Count::Int(5))))
        );
        assert_eq!(
            parse_line("a;b 12."),
            Some(("a;b", Counts::One(Count::Real(12.0))))
        );
        assert_eq!(
            parse_line("a;b\t1.5\r"),
            Some(("a;b", Counts::One(Count::Real(1.5))))
        );
        assert_eq!(parse_line(" 5"), Some(("", Counts::One(Count::Int(5)))));
        assert_eq!(
            parse_line(" 1 2"),
            Some(("", Counts::Two(Count::Int(1), Count::Int(2))))
        );
    }

    #[test]
    fn integer_counts_are_exact() {
        let count = |line| parse_line(line).map(|(_, counts)| counts.width());
        assert_eq!(count("a 18446744073709551615"), Some(Count::Int(u64::MAX)));
        assert_eq!(
            count("a 18446744073709551616"),
            Some(Count::Real(18446744073709551616.0))
        );
        assert_eq!(
            count("a 1000000000000001"),
            Some(Count::Int(1000000000000001))
        );
        let big = Count::Int(1_000_000_000_000_001);
        assert_eq!(big.plus(Count::Int(3)), Count::Int(1_000_000_000_000_004));
        assert_eq!(
            Count::Int(u64::MAX).plus(Count::Int(1)),
            Count::Real(u64::MAX as f64 + 1.0)
        );
        assert_eq!(Count::Int(2).plus(Count::Real(0.5)), Count::Real(2.5));
        assert_eq!(
            Count::Int(239807672958951499).minus(Count::Int(3)),
            239807672958951496.0
        );
    }

    #[test]
    fn stack_is_greedy() {
        assert_eq!(
            parse_line("a;b  10"),
            Some(("a;b ", Counts::One(Count::Int(10))))
        );
        assert_eq!(
            parse_line("a;b 1  2"),
            Some(("a;b 1 ", Counts::One(Count::Int(2))))
        );
        assert_eq!(
            parse_line("a\u{3000}7"),
            Some(("a", Counts::One(Count::Int(7))))
        );
    }

    #[test]
    fn rejects_bad_counts() {
        for line in [
            "",
            "   ",
            "a",
            "a .5",
            "a -3",
            "a +3",
            "a 1e5",
            "a;b 1.2.3",
            "5",
            "a;x7",
        ] {
            assert_eq!(parse_line(line), None, "{line:?}");
        }
    }

    #[test]
    fn tells_negative_counts_from_invalid_lines() {
        for line in ["a;b -3", "a 5 -3", "a;b -12\r", " -4"] {
            assert!(
                parse_line(line).is_none() && has_negative_count(line),
                "{line:?}"
            );
        }
        for line in ["a", "a-3", "a --3", "a -3x", "a +3", "-3"] {
            assert!(!has_negative_count(line), "{line:?}");
        }
    }

    #[test]
    fn reads_lossy_lines_with_bom() {
        let input: &[u8] = b"\xEF\xBB\xBFa;\xFFb 3\r\nbad\nc 2";
        let mut seen = Vec::new();
        let invalid =
            read_lines(input, |stack, counts| seen.push((stack.to_owned(), counts))).unwrap();
        assert_eq!(
            invalid,
            Skipped {
                invalid: 1,
                negative: 0
            }
        );
        assert_eq!(
            seen[0],
            ("a;\u{FFFD}b".to_owned(), Counts::One(Count::Int(3)))
        );
        assert_eq!(seen[1], ("c".to_owned(), Counts::One(Count::Int(2))));
    }

    #[test]
    fn lines_spanning_buffer_refills_are_whole() {
        let text: String = (0..500)
            .map(|i| format!("frame{i};x{} {i}\n", "y".repeat(i % 37)))
            .collect();
        let reader = io::BufReader::with_capacity(16, text.as_bytes());
        let mut lines = LineReader::new(reader);
        let mut seen = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            seen.push(line.to_owned());
        }
        let expected: Vec<&str> = text.lines().collect();
        assert_eq!(seen, expected);
    }
}
