//! Where a profile's bytes come from. Protobuf is read twice (once for everything but the
//! samples, once for the samples), so the source must give the same bytes twice: an open file
//! (not its path, which another file may have replaced by then) or bytes in memory.

use super::{inflate, ProfileError};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

/// Read buffers (compressed and decompressed): large enough that reads are few, small
/// because every byte of them counts in the peak memory of a small profile.
const BUFFER: usize = 1 << 14;

/// The input of a profile, readable from its start as often as needed.
#[derive(Debug)]
pub(crate) enum Source {
    /// A regular file, kept open: every pass reads it from its start.
    File(Arc<File>),
    /// Bytes in memory (stdin, pipes, tests), gzipped or not.
    Memory(Arc<Vec<u8>>),
}

/// Shared bytes as a readable slice.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Source {
    /// A buffered reader of the (decompressed) bytes from the start, and whether they are
    /// gzipped.
    pub(crate) fn open(&self) -> Result<(Box<dyn BufRead + Send>, bool), ProfileError> {
        let raw: Box<dyn Read + Send> = match self {
            Source::File(file) => Box::new(FileFrom {
                file: Arc::clone(file),
                pos: 0,
            }),
            Source::Memory(bytes) => Box::new(io::Cursor::new(Shared(Arc::clone(bytes)))),
        };
        let mut raw = BufReader::with_capacity(BUFFER, raw);
        let mut magic = [0u8; 2];
        let head = raw.fill_buf()?;
        let n = head.len().min(2);
        magic[..n].copy_from_slice(&head[..n]);
        if n == 2 && magic == [0x1f, 0x8b] {
            Ok((inflate::gunzip(raw), true))
        } else {
            Ok((Box::new(raw), false))
        }
    }
}

/// Reads a shared open file from its own position, never the file's cursor, so that two
/// readers of one file (a pass and the inflating thread of an earlier one) cannot disturb
/// each other.
struct FileFrom {
    file: Arc<File>,
    pos: u64,
}

impl Read for FileFrom {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = read_at(&self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    // Moves the file's cursor too, which no reader here relies on.
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(not(any(unix, windows)))]
fn read_at(mut file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read(buf)
}
