//! The body of a 200 answer: received with transport compression undone and its length checked,
//! spooled to memory or (beyond [`MEMORY_SPOOL_LIMIT`]) an anonymous temporary file, checked to
//! be complete gzip where it is gzip, and written out (stdout or `-o FILE` through a rename).

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use flate2::read::{MultiGzDecoder, ZlibDecoder};

use super::error::{body_read_error, FetchError};
use super::exchange::{header_text, Response};
use super::MEMORY_SPOOL_LIMIT;

/// The response body of a successful fetch, in memory or in an anonymous temporary file.
#[derive(Debug)]
pub struct Body {
    storage: Storage,
    len: u64,
}

#[derive(Debug)]
enum Storage {
    Memory(Vec<u8>),
    File(File),
}

impl Body {
    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for an empty body.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the body is held in memory (else in a temporary file).
    pub fn in_memory(&self) -> bool {
        matches!(self.storage, Storage::Memory(_))
    }

    /// A reader over the whole body from its start.
    pub fn reader(&mut self) -> io::Result<Box<dyn Read + '_>> {
        match &mut self.storage {
            Storage::Memory(bytes) => Ok(Box::new(&bytes[..])),
            Storage::File(file) => {
                file.seek(SeekFrom::Start(0))?;
                Ok(Box::new(io::BufReader::with_capacity(1 << 16, &*file)))
            }
        }
    }

    /// The first bytes (up to `n`).
    pub fn head(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let mut head = Vec::with_capacity(n);
        self.reader()?.take(n as u64).read_to_end(&mut head)?;
        Ok(head)
    }

    /// True if the body starts with the gzip magic `1f 8b`.
    pub fn is_gzip(&mut self) -> io::Result<bool> {
        Ok(self.head(2)? == [0x1f, 0x8b])
    }

    /// Binary for a terminal: gzip, or any NUL byte.
    pub fn looks_binary(&mut self) -> io::Result<bool> {
        if self.is_gzip()? {
            return Ok(true);
        }
        let mut reader = self.reader()?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                return Ok(false);
            }
            if memchr::memchr(0, &buf[..n]).is_some() {
                return Ok(true);
            }
        }
    }

    /// Copies the whole body to `out`.
    pub fn write_to(&mut self, out: &mut dyn Write) -> io::Result<u64> {
        let mut reader = self.reader()?;
        io::copy(&mut reader, out)
    }
}

/// Receives the body into a [`Body`], undoing transport compression and checking its length.
/// Up to `memory` bytes are held in memory, the rest goes to a temporary file.
pub(super) fn receive_body(
    response: Response,
    url: &str,
    limit: Option<Duration>,
    memory: usize,
) -> Result<Body, FetchError> {
    let encoding =
        header_text(&response, "content-encoding").map(|e| e.trim().to_ascii_lowercase());
    let content_length =
        header_text(&response, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    let raw = CountingReader {
        inner: response.into_body().into_reader(),
        count: 0,
    };
    let mut decoded = TransportDecoder::new(raw, encoding.as_deref());
    let mut spool = Spool::with_limit(memory);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match decoded.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => spool.push(&buf[..n]).map_err(FetchError::Spool)?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(body_read_error(e, url, decoded.raw_count(), limit)),
        }
    }
    let received = decoded.raw_count();
    if let Some(expected) = content_length.filter(|_| encoding.is_none()) {
        if received < expected {
            return Err(FetchError::ConnectionClosed {
                url: url.to_string(),
                bytes: received,
                reason: format!("expected {expected} bytes (Content-Length)"),
            });
        }
    }
    spool.finish().map_err(FetchError::Spool)
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Undoes `Content-Encoding: gzip`/`deflate`; anything else passes through.
enum TransportDecoder<R: Read> {
    Identity(CountingReader<R>),
    Gzip(MultiGzDecoder<CountingReader<R>>),
    Deflate(ZlibDecoder<CountingReader<R>>),
}

impl<R: Read> TransportDecoder<R> {
    fn new(raw: CountingReader<R>, encoding: Option<&str>) -> Self {
        match encoding {
            Some("gzip" | "x-gzip") => TransportDecoder::Gzip(MultiGzDecoder::new(raw)),
            Some("deflate") => TransportDecoder::Deflate(ZlibDecoder::new(raw)),
            _ => TransportDecoder::Identity(raw),
        }
    }

    fn raw_count(&self) -> u64 {
        match self {
            TransportDecoder::Identity(r) => r.count,
            TransportDecoder::Gzip(d) => d.get_ref().count,
            TransportDecoder::Deflate(d) => d.get_ref().count,
        }
    }
}

impl<R: Read> Read for TransportDecoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            TransportDecoder::Identity(r) => r.read(buf),
            TransportDecoder::Gzip(d) => d.read(buf),
            TransportDecoder::Deflate(d) => d.read(buf),
        }
    }
}

/// Memory up to a limit ([`MEMORY_SPOOL_LIMIT`] by default), then an anonymous temporary file.
struct Spool {
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    len: u64,
    limit: usize,
}

impl Default for Spool {
    fn default() -> Self {
        Spool::with_limit(MEMORY_SPOOL_LIMIT)
    }
}

impl Spool {
    fn with_limit(limit: usize) -> Self {
        Spool {
            memory: Vec::new(),
            file: None,
            len: 0,
            limit,
        }
    }

    fn push(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.len += chunk.len() as u64;
        if let Some(file) = &mut self.file {
            return file.write_all(chunk);
        }
        if self.memory.len() + chunk.len() <= self.limit {
            self.memory.extend_from_slice(chunk);
            return Ok(());
        }
        let mut file = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
        file.write_all(&std::mem::take(&mut self.memory))?;
        file.write_all(chunk)?;
        self.file = Some(file);
        Ok(())
    }

    fn finish(self) -> io::Result<Body> {
        let storage = match self.file {
            Some(file) => Storage::File(file.into_inner().map_err(|e| e.into_error())?),
            None => Storage::Memory(self.memory),
        };
        Ok(Body {
            storage,
            len: self.len,
        })
    }
}

/// A gzip body must be complete: every member ends with its trailer and CRC-32/length match.
pub(super) fn check_gzip(body: &mut Body, url: &str) -> Result<(), FetchError> {
    if !body.is_gzip().map_err(FetchError::Spool)? {
        return Ok(());
    }
    let bytes = body.len();
    let reader = body.reader().map_err(FetchError::Spool)?;
    match io::copy(&mut MultiGzDecoder::new(reader), &mut io::sink()) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(FetchError::IncompleteGzip {
            url: url.to_string(),
            bytes,
        }),
        Err(e) => Err(FetchError::CorruptGzip {
            url: url.to_string(),
            bytes,
            reason: e.to_string(),
        }),
    }
}

/// Writes the body to `path` through a temporary file in the same folder, renamed into place
/// only when complete; on failure the temporary file is removed and `path` is untouched.
pub fn write_to_file(body: &mut Body, path: &Path) -> Result<(), FetchError> {
    write_file_atomically(path, &mut |out| body.write_to(out).map(|_| ()))
}

/// Writes `path` with `write` through a temporary file in the same folder, renamed into place
/// only when complete; on failure the temporary file is removed and `path` is untouched.
pub fn write_file_atomically(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<(), FetchError> {
    let fail = |source: io::Error| FetchError::Write {
        file: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pprof-fetch-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Like any new file (umask applies), not tempfile's owner-only default.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(&dir).map_err(fail)?;
    #[cfg(unix)]
    if let Ok(existing) = std::fs::metadata(path) {
        // A replaced file keeps its permissions.
        temp.as_file()
            .set_permissions(existing.permissions())
            .map_err(fail)?;
    }
    {
        let mut out = BufWriter::with_capacity(1 << 16, temp.as_file_mut());
        write(&mut out).map_err(fail)?;
        out.flush().map_err(fail)?;
    }
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spool_moves_to_a_file_beyond_the_memory_limit() {
        let mut spool = Spool::default();
        let chunk = vec![7u8; 1 << 20];
        for _ in 0..16 {
            spool.push(&chunk).unwrap();
        }
        assert!(spool.file.is_none());
        spool.push(b"xyz").unwrap();
        let mut body = spool.finish().unwrap();
        assert!(!body.in_memory());
        assert_eq!(body.len(), (16 << 20) + 3);
        let mut all = Vec::new();
        body.reader().unwrap().read_to_end(&mut all).unwrap();
        assert_eq!(all.len() as u64, body.len());
        assert_eq!(&all[all.len() - 3..], b"xyz");
    }
}
