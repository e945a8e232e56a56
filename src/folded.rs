//! The folded-stack text format: one `frame;frame;frame VALUE` line per stack, root first.

use std::io::{self, Write};

// Writing

/// Writes folded lines (`STACK VALUE` + LF) to a writer through its own large buffer, frame by
/// frame, so that no line is ever built as a `String`.
pub struct FoldedWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
    line_start: usize,
}

/// Buffered bytes that trigger a write to the inner writer.
const FLUSH_AT: usize = 1 << 18;

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
