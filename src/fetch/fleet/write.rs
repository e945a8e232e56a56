//! Writing the merged profile: gzipped protobuf, every message encoded by prost.
//!
//! The outer `Profile` is written as two concatenated encodings, which protobuf defines to be one
//! message: first [`Merger::header`] (everything but the samples) with `Message::encode`, then
//! each sample as field 2 with prost's message encoding. So the samples never exist as one
//! `Vec<Sample>` of small allocations; one reused `Sample` carries each in turn.

use std::io::{self, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use prost::Message;

use crate::profile::proto as pb;

use super::merge::Merger;

/// Bytes of encoded samples collected before they go to the compressor.
const CHUNK: usize = 1 << 16;

/// Writes the merged profile, gzipped, to `out`.
pub(super) fn write_merged(merger: &Merger, out: &mut dyn Write) -> io::Result<()> {
    // Fast compression: the profile is usually read once, by pprof-collapse, right away.
    let mut gz = GzEncoder::new(out, Compression::fast());
    gz.write_all(&merger.header.encode_to_vec())?;
    let mut sample = pb::Sample::default();
    let mut buf = Vec::with_capacity(CHUNK + 1024);
    for i in 0..merger.samples.len() {
        if !merger.samples.fill(i, &mut sample) {
            continue;
        }
        prost::encoding::message::encode(2, &sample, &mut buf);
        if buf.len() >= CHUNK {
            gz.write_all(&buf)?;
            buf.clear();
        }
    }
    gz.write_all(&buf)?;
    gz.finish()?.flush()
}
