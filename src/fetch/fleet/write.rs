//! Writing the merged profile: gzipped protobuf, every message encoded by prost.
//!
//! The outer `Profile` is written as two concatenated encodings, which protobuf defines to be one
//! message: first [`Merger::header`] (everything but the samples) with `Message::encode`, then
//! each sample as field 2 with prost's message encoding. So the samples never exist as one
//! `Vec<Sample>` of small allocations; one reused `Sample` carries each in turn.
//!
//! Compression runs on a second thread, fed with chunks of encoded bytes, so that encoding and
//! compressing overlap; a few chunks in flight are all the memory it takes.
//!
//! When every sample carries its part's instance label, a part's samples are final as soon as
//! the part is merged: a [`SampleSpool`] thread encodes and compresses them into a temporary
//! file while the next parts are merged, and the header follows them in the same gzip stream
//! once all parts are in.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::profile::pb;

use super::merge::Merger;
use super::samples::SampleTable;

/// Bytes of encoded samples handed to the compressor at a time.
const CHUNK: usize = 1 << 17;

/// Chunks the encoder may be ahead of the compressor.
const AHEAD: usize = 4;

/// Writes the merged profile, gzipped, to `out`.
pub(super) fn write_merged(merger: &mut Merger, out: &mut dyn Write) -> io::Result<()> {
    let header = merger.encoded_header();
    let samples = &merger.samples;
    let (chunks, received) = sync_channel::<Vec<u8>>(AHEAD);
    let (spares, spare_chunks) = sync_channel::<Vec<u8>>(AHEAD + 2);
    std::thread::scope(|scope| {
        let encoder = scope.spawn(move || encode(header, samples, &chunks, &spare_chunks));
        let compressed = compress(received, spares, out);
        let encoded = encoder
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the encoding thread panicked")));
        // A failed write stops the compressor, which makes the encoder stop too: the write
        // error is the one to report.
        compressed.and(encoded)
    })
}

/// Encodes the header, then every sample, in chunks (on its own thread); stops when the
/// compressor has gone.
fn encode(
    header: Vec<u8>,
    samples: &SampleTable,
    chunks: &SyncSender<Vec<u8>>,
    spares: &Receiver<Vec<u8>>,
) -> io::Result<()> {
    let gone = || io::Error::other("the compressing thread stopped");
    chunks.send(header).map_err(|_| gone())?;
    let mut sample = pb::Sample::default();
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    for i in 0..samples.len() {
        if !samples.fill(i, &mut sample) {
            continue;
        }
        prost::encoding::message::encode(2, &sample, &mut buf);
        if buf.len() >= CHUNK {
            let mut next = spares.try_recv().unwrap_or_default();
            next.clear();
            chunks
                .send(std::mem::replace(&mut buf, next))
                .map_err(|_| gone())?;
        }
    }
    chunks.send(buf).map_err(|_| gone())
}

/// Compresses the chunks into `out` (fast compression: the profile is usually read once, by
/// pprof-collapse, right away) and hands emptied chunks back for reuse. Returning early (a
/// failed write) drops `chunks`, which stops the encoder.
fn compress(
    chunks: Receiver<Vec<u8>>,
    spares: SyncSender<Vec<u8>>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut gz = GzEncoder::new(out, Compression::fast());
    for chunk in chunks {
        gz.write_all(&chunk)?;
        let _ = spares.try_send(chunk);
    }
    gz.finish()?.flush()
}

/// Samples of finished parts, encoded and compressed into an anonymous temporary file by a
/// thread of their own.
pub(super) struct SampleSpool {
    tables: Option<SyncSender<Spooled>>,
    thread: Option<JoinHandle<io::Result<File>>>,
}

/// What the spool thread is given: the samples of a part, then the encoded header.
enum Spooled {
    Samples(SampleTable),
    Header(Vec<u8>),
}

impl SampleSpool {
    /// Starts the thread.
    pub fn start() -> io::Result<SampleSpool> {
        let file = tempfile::tempfile()?;
        let (tables, received) = sync_channel::<Spooled>(2);
        let thread = std::thread::Builder::new()
            .name("samples".into())
            .spawn(move || spool_samples(received, file))?;
        Ok(SampleSpool {
            tables: Some(tables),
            thread: Some(thread),
        })
    }

    /// Hands over the samples of a finished part (waits while two are still being written).
    pub fn push(&mut self, table: SampleTable) {
        if let Some(tables) = &self.tables {
            if tables.send(Spooled::Samples(table)).is_err() {
                // The thread failed; `finish` reports its error.
                self.tables = None;
            }
        }
    }

    /// Ends the stream with `header` (the encoded header), waits for the thread and returns
    /// the file of the compressed profile.
    pub fn finish(mut self, header: Vec<u8>) -> io::Result<File> {
        if let Some(tables) = self.tables.take() {
            // A failed send means a failed thread, whose error comes from `join` below.
            let _ = tables.send(Spooled::Header(header));
        }
        let thread = self
            .thread
            .take()
            .ok_or_else(|| io::Error::other("no sample thread"))?;
        let mut file = thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the sample thread panicked")))?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }
}

fn spool_samples(received: Receiver<Spooled>, file: File) -> io::Result<File> {
    let mut gz = GzEncoder::new(BufWriter::with_capacity(1 << 16, file), Compression::fast());
    let mut sample = pb::Sample::default();
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    for message in received {
        let table = match message {
            Spooled::Samples(table) => table,
            Spooled::Header(header) => {
                gz.write_all(&buf)?;
                gz.write_all(&header)?;
                return gz.finish()?.into_inner().map_err(|e| e.into_error());
            }
        };
        for i in 0..table.len() {
            if table.fill(i, &mut sample) {
                prost::encoding::message::encode(2, &sample, &mut buf);
            }
            if buf.len() >= CHUNK {
                gz.write_all(&buf)?;
                buf.clear();
            }
        }
    }
    Err(io::Error::other(
        "the sample thread ended before the header",
    ))
}
