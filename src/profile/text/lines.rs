//! Streaming line reader for Go's text formats: lines end at LF, a CR and trailing spaces and
//! tabs are removed, the whole text is never held (docs/goroutine-dumps.md, "Input detection").

use std::io::{self, Read};

/// Bytes read from the input at a time.
const CHUNK: usize = 1 << 16;

/// What [`LineReader::next_line`] found.
pub(crate) enum Next<'a> {
    /// A complete line (LF-terminated), trimmed.
    Line(&'a [u8]),
    /// The end of the input.
    End,
}

/// Reads lines from `R` with a buffer of its own; lines may be any length.
pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// 1-based number of the line last returned.
    pub number: usize,
    /// A NUL byte was read (the text is then no dump).
    pub nul: bool,
    /// Stop at the first NUL byte (reading dumps).
    stop_at_nul: bool,
    /// The input did not end with LF: its last line was incomplete and left out.
    pub cut: bool,
    /// Every byte read so far, while the caller may still need to decode them otherwise.
    retained: Option<Vec<u8>>,
    first: bool,
}

impl<R: Read> LineReader<R> {
    /// A reader of `inner`; `retain` keeps a copy of what it reads (see [`Self::stop_retaining`]).
    pub(crate) fn new(inner: R, stop_at_nul: bool, retain: bool) -> Self {
        LineReader {
            inner,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            number: 0,
            nul: false,
            stop_at_nul,
            cut: false,
            retained: retain.then(Vec::new),
            first: true,
        }
    }

    /// Drops the copy of the bytes read so far and keeps no more.
    pub(crate) fn stop_retaining(&mut self) {
        self.retained = None;
    }

    /// The copy of everything read (if still retained) and the rest of the input.
    pub(crate) fn into_parts(self) -> (Option<Vec<u8>>, R) {
        (self.retained, self.inner)
    }

    /// The next line, without its LF, CR and trailing blanks.
    pub(crate) fn next_line(&mut self) -> io::Result<Next<'_>> {
        loop {
            if self.stop_at_nul && self.nul {
                return Ok(Next::End);
            }
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                let (s, e) = (self.start, self.start + i);
                self.start = e + 1;
                self.number += 1;
                return Ok(Next::Line(self.finish_line(s, e)));
            }
            if self.eof {
                if self.start < self.end {
                    self.cut = true;
                    self.start = self.end;
                }
                return Ok(Next::End);
            }
            self.fill()?;
        }
    }

    fn finish_line(&mut self, s: usize, mut e: usize) -> &[u8] {
        let mut s = s;
        if self.first {
            self.first = false;
            if self.buf[s..e].starts_with(b"\xEF\xBB\xBF") {
                s += 3;
            }
        }
        while e > s && matches!(self.buf[e - 1], b'\r' | b' ' | b'\t') {
            e -= 1;
        }
        &self.buf[s..e]
    }

    /// Reads more input after the unconsumed part (moved to the front, the buffer grown when a
    /// line fills it).
    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let n = loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
            return Ok(());
        }
        let new = &self.buf[self.end..self.end + n];
        if let Some(copy) = &mut self.retained {
            copy.extend_from_slice(new);
        }
        if !self.nul && memchr::memchr(0, new).is_some() {
            self.nul = true;
            if self.stop_at_nul {
                // The text is no dump: nothing more is looked at.
                self.eof = true;
                return Ok(());
            }
        }
        self.end += n;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(data: &[u8]) -> (Vec<Vec<u8>>, bool) {
        let mut r = LineReader::new(data, false, false);
        let mut out = Vec::new();
        while let Next::Line(l) = r.next_line().unwrap() {
            out.push(l.to_vec());
        }
        (out, r.cut)
    }

    #[test]
    fn trims_cr_and_blanks_and_sees_cut_lines() {
        let (l, cut) = lines(b"\xEF\xBB\xBFa \r\nb\t\n\nc");
        assert_eq!(l, [b"a".to_vec(), b"b".to_vec(), b"".to_vec()]);
        assert!(cut);
        assert!(!lines(b"a\n").1);
    }

    #[test]
    fn long_lines_grow_the_buffer() {
        let mut data = vec![b'x'; 3 * CHUNK];
        data.push(b'\n');
        let (l, _) = lines(&data);
        assert_eq!(l[0].len(), 3 * CHUNK);
    }

    #[test]
    fn stops_at_nul() {
        let mut r = LineReader::new(&b"a\nb\0c\nd\n"[..], true, false);
        assert!(matches!(r.next_line().unwrap(), Next::End));
        assert!(r.nul);
    }
}
