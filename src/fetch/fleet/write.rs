//! Writing the merged profile: gzipped protobuf, every message encoded by prost.
//!
//! The outer `Profile` is written as two concatenated encodings, which protobuf defines to be one
//! message: first [`Merger::header`] (everything but the samples) with `Message::encode`, then
//! each sample as field 2 with prost's message encoding. So the samples never exist as one
//! `Vec<Sample>` of small allocations; one reused `Sample` carries each in turn.
//!
//! Compression runs on a second thread, fed with chunks of encoded bytes, so that encoding and
//! compressing overlap; a few chunks in flight are all the memory it takes.

use std::io::{self, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use flate2::write::GzEncoder;
use flate2::Compression;
use prost::Message;

use crate::profile::proto as pb;

use super::merge::Merger;

/// Bytes of encoded samples handed to the compressor at a time.
const CHUNK: usize = 1 << 17;

/// Chunks the encoder may be ahead of the compressor.
const AHEAD: usize = 4;

/// Writes the merged profile, gzipped, to `out`.
pub(super) fn write_merged(merger: &Merger, out: &mut dyn Write) -> io::Result<()> {
    let (chunks, received) = sync_channel::<Vec<u8>>(AHEAD);
    let (spares, spare_chunks) = sync_channel::<Vec<u8>>(AHEAD + 2);
    std::thread::scope(|scope| {
        let encoder = scope.spawn(move || encode(merger, &chunks, &spare_chunks));
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
    merger: &Merger,
    chunks: &SyncSender<Vec<u8>>,
    spares: &Receiver<Vec<u8>>,
) -> io::Result<()> {
    let gone = || io::Error::other("the compressing thread stopped");
    chunks
        .send(merger.header.encode_to_vec())
        .map_err(|_| gone())?;
    let mut sample = pb::Sample::default();
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    for i in 0..merger.samples.len() {
        if !merger.samples.fill(i, &mut sample) {
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
