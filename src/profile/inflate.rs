//! gzip decompression on a second thread, so that inflating overlaps decoding (each pass over
//! a gzipped profile spends about as long inflating as decoding).
//!
//! The thread fills fixed-size chunks and hands them over through a bounded channel; the
//! reader returns emptied chunks for reuse, so a few chunks are all the memory it takes.

use flate2::read::MultiGzDecoder;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// Decompressed bytes handed over at a time.
const CHUNK: usize = 1 << 15;

/// Chunks the thread may decompress ahead of the reader.
const AHEAD: usize = 2;

/// Reads what a gzip stream decompresses to, inflated on another thread when one can be
/// started (else on this one).
pub(crate) fn gunzip<R: Read + Send + 'static>(input: R) -> Box<dyn BufRead + Send> {
    let (chunk_tx, chunks) = sync_channel(AHEAD);
    let (spares, spare_rx) = sync_channel(AHEAD + 2);
    // Shared so that the decoder can be taken back if no thread can be started.
    let decoder = Arc::new(Mutex::new(Some(MultiGzDecoder::new(input))));
    let for_thread = Arc::clone(&decoder);
    let started = std::thread::Builder::new()
        .name("inflate".into())
        .spawn(move || {
            let gz = for_thread.lock().ok().and_then(|mut slot| slot.take());
            if let Some(gz) = gz {
                inflate_into(gz, &chunk_tx, &spare_rx);
            }
        });
    let inline = match started {
        Ok(_) => None,
        Err(_) => decoder.lock().ok().and_then(|mut slot| slot.take()),
    };
    match inline {
        Some(gz) => Box::new(BufReader::with_capacity(CHUNK, gz)),
        None => Box::new(Inflater {
            chunks,
            spares,
            chunk: Vec::new(),
            pos: 0,
        }),
    }
}

/// The thread's loop: fills chunks until the stream ends, fails, or the reader is dropped.
fn inflate_into(
    mut gz: impl Read,
    chunks: &SyncSender<io::Result<Vec<u8>>>,
    spares: &Receiver<Vec<u8>>,
) {
    loop {
        let mut chunk = spares.try_recv().unwrap_or_default();
        chunk.resize(CHUNK, 0);
        let (filled, error) = fill(&mut gz, &mut chunk);
        chunk.truncate(filled);
        if filled > 0 && chunks.send(Ok(chunk)).is_err() {
            return;
        }
        if let Some(e) = error {
            let _ = chunks.send(Err(e));
            return;
        }
        if filled < CHUNK {
            return;
        }
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read and the error that
/// stopped it, if any.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
}

/// The reading end: the current chunk and the channel the next ones come from.
struct Inflater {
    chunks: Receiver<io::Result<Vec<u8>>>,
    spares: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl BufRead for Inflater {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.chunk.len() {
            let used = std::mem::take(&mut self.chunk);
            self.pos = 0;
            if used.capacity() > 0 {
                let _ = self.spares.try_send(used);
            }
            match self.chunks.recv() {
                Ok(Ok(chunk)) => self.chunk = chunk,
                Ok(Err(e)) => return Err(e),
                Err(_) => {} // the thread is done: the end of the stream
            }
        }
        Ok(&self.chunk[self.pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.chunk.len());
    }
}

impl Read for Inflater {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn reads_every_byte_of_several_members_across_chunks() {
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i * 7 % 251) as u8).collect();
        let mut two = gzip(&data[..CHUNK + 5]);
        two.extend(gzip(&data[CHUNK + 5..]));
        let mut out = Vec::new();
        gunzip(io::Cursor::new(two)).read_to_end(&mut out).unwrap();
        assert!(out == data);
    }

    #[test]
    fn hands_over_the_bytes_before_an_error_then_the_error() {
        let data: Vec<u8> = (0..2 * CHUNK).map(|i| (i % 13) as u8).collect();
        let mut gz = gzip(&data);
        gz.truncate(gz.len() - 4); // the trailer's length field is missing
        let mut reader = gunzip(io::Cursor::new(gz));
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(out == data, "{} of {} bytes", out.len(), data.len());
    }
}
