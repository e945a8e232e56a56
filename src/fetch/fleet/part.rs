//! One part of a fleet: a fetched body decompressed into a reusable buffer and scanned once, so
//! that its strings, mappings, locations, functions and samples are known by byte range. Nothing
//! is decoded yet: the merge decodes each message when a sample first needs it.

use std::collections::HashMap;
use std::io::{self, Read};

use flate2::read::MultiGzDecoder;

use crate::fetch::{Body, FetchError};
use crate::profile::pb;
use crate::profile::{detect, ProfileError};

/// A byte range `start..end` of the decompressed part.
pub(super) type Range = (u32, u32);

/// Why a part cannot be merged (its fetch succeeded).
#[derive(Debug)]
pub(super) enum PartFailure {
    /// The gzip check of the body failed (the messages of a single fetch).
    Fetch(FetchError),
    /// The bytes are not a usable pprof profile.
    Profile(ProfileError),
}

impl From<ProfileError> for PartFailure {
    fn from(e: ProfileError) -> Self {
        PartFailure::Profile(e)
    }
}

/// Decompresses (or copies) the body into `buf`, checking that gzip data is complete.
pub(super) fn load_body(body: &mut Body, url: &str, buf: &mut Vec<u8>) -> Result<(), PartFailure> {
    buf.clear();
    let bytes = body.len();
    let gzip = body.is_gzip().map_err(spool)?;
    let reader = body.reader().map_err(spool)?;
    let result = if gzip {
        MultiGzDecoder::new(reader).read_to_end(buf)
    } else {
        { reader }.read_to_end(buf)
    };
    match result {
        Ok(_) => {}
        Err(e) if gzip && e.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(PartFailure::Fetch(FetchError::IncompleteGzip {
                url: url.to_string(),
                bytes,
            }))
        }
        Err(e) if gzip => {
            return Err(PartFailure::Fetch(FetchError::CorruptGzip {
                url: url.to_string(),
                bytes,
                reason: e.to_string(),
            }))
        }
        Err(e) => return Err(spool(e)),
    }
    if u32::try_from(buf.len()).is_err() {
        return Err(ProfileError::NotSupported("profiles beyond 4 GiB").into());
    }
    Ok(())
}

fn spool(e: io::Error) -> PartFailure {
    PartFailure::Fetch(FetchError::Spool(e))
}

/// Maps the ids of one kind of message (mappings, locations, functions) to their entries.
#[derive(Debug, Default)]
pub(super) struct IdTable {
    /// Byte range of each message, in the order of the part.
    pub ranges: Vec<Range>,
    ids: Vec<u64>,
    index: IdIndex,
}

#[derive(Debug, Default)]
enum IdIndex {
    /// `dense[id]` is the entry + 1 (0 = none): small ids, the usual case.
    Dense(Vec<u32>),
    /// Large or sparse ids.
    Map(HashMap<u64, u32>),
    #[default]
    Empty,
}

impl IdTable {
    fn push(&mut self, id: u64, range: Range) {
        self.ids.push(id);
        self.ranges.push(range);
    }

    /// Builds the index; `what` names the message in errors (id 0, duplicate ids).
    fn build(&mut self, what: &str) -> Result<(), ProfileError> {
        let invalid = |text: String| ProfileError::Invalid(text);
        let max = self.ids.iter().copied().max().unwrap_or(0);
        if self.ids.contains(&0) {
            return Err(invalid(format!("{what} id 0")));
        }
        let count = self.ids.len();
        let duplicate = |id| invalid(format!("duplicate {what} id {id}"));
        if max <= 2 * count as u64 + 1024 {
            let mut dense = vec![0u32; max as usize + 1];
            for (i, &id) in self.ids.iter().enumerate() {
                let slot = &mut dense[id as usize];
                if *slot != 0 {
                    return Err(duplicate(id));
                }
                *slot = i as u32 + 1;
            }
            self.index = IdIndex::Dense(dense);
        } else {
            let mut map = HashMap::with_capacity(count);
            for (i, &id) in self.ids.iter().enumerate() {
                if map.insert(id, i as u32).is_some() {
                    return Err(duplicate(id));
                }
            }
            self.index = IdIndex::Map(map);
        }
        Ok(())
    }

    /// The entry of `id`, if the part has it.
    #[inline]
    pub fn entry(&self, id: u64) -> Option<usize> {
        match &self.index {
            IdIndex::Dense(dense) => match dense.get(usize::try_from(id).ok()?) {
                Some(&slot) if slot != 0 => Some(slot as usize - 1),
                _ => None,
            },
            IdIndex::Map(map) => map.get(&id).map(|&i| i as usize),
            IdIndex::Empty => None,
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }
}

/// The outer message of one part, as byte ranges and scalars.
#[derive(Debug, Default)]
pub(super) struct Part {
    pub strings: Vec<Range>,
    pub sample_types: Vec<pb::ValueType>,
    pub samples: Vec<Range>,
    pub mappings: IdTable,
    pub locations: IdTable,
    pub functions: IdTable,
    pub drop_frames: i64,
    pub keep_frames: i64,
    pub time_nanos: i64,
    pub duration_nanos: i64,
    pub period_type: Option<pb::ValueType>,
    pub period: i64,
    pub comments: Vec<i64>,
    pub default_sample_type: i64,
    pub doc_url: i64,
    time_seen: bool,
}

impl Part {
    /// Scans the decompressed bytes of a profile (one pass over the outer message).
    pub fn scan(data: &[u8]) -> Result<Part, ProfileError> {
        if data.is_empty() {
            return Err(ProfileError::Empty);
        }
        if detect::classify(&data[..data.len().min(1 << 16)])? == detect::Kind::RawText {
            return Err(ProfileError::NotSupported(
                "go tool pprof -raw text (several targets need protobuf profiles)",
            ));
        }
        let mut part = Part::default();
        let mut fields = Fields { data, pos: 0 };
        while let Some((number, value, start)) = fields.next()? {
            part.take(data, number, value, start)?;
        }
        match part.strings.first() {
            Some(&(s, e)) if s == e => {}
            _ => return Err(ProfileError::BadStringTable),
        }
        part.mappings.build("mapping")?;
        part.locations.build("location")?;
        part.functions.build("function")?;
        Ok(part)
    }

    fn take(
        &mut self,
        data: &[u8],
        number: u32,
        value: Value,
        start: usize,
    ) -> Result<(), ProfileError> {
        let wrong = || {
            malformed(
                start,
                format!("field {number} of Profile has a wrong wire type"),
            )
        };
        let int = || match value {
            Value::Varint(v) => Ok(v as i64),
            _ => Err(wrong()),
        };
        let range = || match value {
            Value::Bytes(s, e) => Ok((s as u32, e as u32)),
            _ => Err(wrong()),
        };
        match number {
            1 => self.sample_types.push(decode_at(data, range()?, start)?),
            2 => self.samples.push(range()?),
            3 => self.push_with_id(data, range()?, start, Table::Mappings)?,
            4 => self.push_with_id(data, range()?, start, Table::Locations)?,
            5 => self.push_with_id(data, range()?, start, Table::Functions)?,
            6 => self.strings.push(range()?),
            7 => self.drop_frames = int()?,
            8 => self.keep_frames = int()?,
            9 if self.time_seen => return Err(ProfileError::Concatenated),
            9 => {
                self.time_nanos = int()?;
                self.time_seen = true;
            }
            10 => self.duration_nanos = int()?,
            11 => self.period_type = Some(decode_at(data, range()?, start)?),
            12 => self.period = int()?,
            13 => match value {
                Value::Varint(v) => self.comments.push(v as i64),
                Value::Bytes(s, e) => packed_varints(&data[s..e], start, &mut self.comments)?,
                _ => return Err(wrong()),
            },
            14 => self.default_sample_type = int()?,
            15 => self.doc_url = int()?,
            _ => {}
        }
        Ok(())
    }

    /// Records a mapping, location or function by its id (field 1, read without decoding the
    /// rest of the message).
    fn push_with_id(
        &mut self,
        data: &[u8],
        range: Range,
        start: usize,
        table: Table,
    ) -> Result<(), ProfileError> {
        let body = &data[range.0 as usize..range.1 as usize];
        let id = match body {
            // The id first, as every encoder writes it: read it alone (the message is decoded
            // fully, and checked, when it is merged).
            [8, ..] => prost::encoding::decode_varint(&mut &body[1..]).ok(),
            _ => None,
        };
        let id = match id {
            Some(id) => id,
            None => last_id(body).map_err(|e| shifted(e, start))?,
        };
        let table = match table {
            Table::Mappings => &mut self.mappings,
            Table::Locations => &mut self.locations,
            Table::Functions => &mut self.functions,
        };
        table.push(id, range);
        Ok(())
    }
}

/// The last field 1 (the id) of a message, 0 without one.
fn last_id(body: &[u8]) -> Result<u64, ProfileError> {
    let mut fields = Fields { data: body, pos: 0 };
    let mut id = 0;
    while let Some((number, value, _)) = fields.next()? {
        if let (1, Value::Varint(v)) = (number, value) {
            id = v;
        }
    }
    Ok(id)
}

#[derive(Clone, Copy)]
enum Table {
    Mappings,
    Locations,
    Functions,
}

/// Decodes the message at `range` with prost; errors name the field's offset `start`.
pub(super) fn decode_at<M: prost::Message + Default>(
    data: &[u8],
    range: Range,
    start: usize,
) -> Result<M, ProfileError> {
    M::decode(&data[range.0 as usize..range.1 as usize])
        .map_err(|e| malformed(start, e.to_string()))
}

/// Decodes the message at `range` into `message` (cleared first), reusing its buffers.
pub(super) fn decode_into<M: prost::Message>(
    data: &[u8],
    range: Range,
    message: &mut M,
) -> Result<(), ProfileError> {
    message.clear();
    message
        .merge(&data[range.0 as usize..range.1 as usize])
        .map_err(|e| malformed(range.0 as usize, e.to_string()))
}

fn packed_varints(mut bytes: &[u8], start: usize, out: &mut Vec<i64>) -> Result<(), ProfileError> {
    while !bytes.is_empty() {
        let v = prost::encoding::decode_varint(&mut bytes)
            .map_err(|_| malformed(start, "bad varint in packed field 13 of Profile"))?;
        out.push(v as i64);
    }
    Ok(())
}

fn malformed(offset: usize, reason: impl Into<String>) -> ProfileError {
    ProfileError::Malformed {
        offset,
        reason: reason.into(),
    }
}

fn shifted(e: ProfileError, base: usize) -> ProfileError {
    match e {
        ProfileError::Malformed { offset, reason } => malformed(offset + base, reason),
        other => other,
    }
}

#[derive(Clone, Copy, Debug)]
enum Value {
    Varint(u64),
    Bytes(usize, usize),
    Fixed,
}

/// The fields of one message: (number, value, offset of the tag).
struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Fields<'_> {
    fn varint(&mut self, start: usize) -> Result<u64, ProfileError> {
        let mut rest = &self.data[self.pos..];
        let before = rest.len();
        let v = prost::encoding::decode_varint(&mut rest)
            .map_err(|_| malformed(start, "bad or cut-off varint"))?;
        self.pos += before - rest.len();
        Ok(v)
    }

    fn next(&mut self) -> Result<Option<(u32, Value, usize)>, ProfileError> {
        if self.pos >= self.data.len() {
            return Ok(None);
        }
        let start = self.pos;
        let key = self.varint(start)?;
        let number = u32::try_from(key >> 3)
            .ok()
            .filter(|&n| n != 0)
            .ok_or_else(|| malformed(start, "invalid field number"))?;
        let left = self.data.len() - self.pos;
        let value = match key & 7 {
            0 => Value::Varint(self.varint(start)?),
            1 | 5 => {
                let len = if key & 7 == 1 { 8 } else { 4 };
                if left < len {
                    return Err(malformed(start, "fixed value goes beyond the end"));
                }
                self.pos += len;
                Value::Fixed
            }
            2 => {
                let len = self.varint(start)?;
                let left = (self.data.len() - self.pos) as u64;
                if len > left {
                    return Err(malformed(
                        start,
                        format!(
                            "length {len} of field {number} goes beyond the end of its message"
                        ),
                    ));
                }
                let s = self.pos;
                self.pos += len as usize;
                Value::Bytes(s, self.pos)
            }
            other => {
                return Err(malformed(
                    start,
                    format!("field {number} has unsupported wire type {other}"),
                ))
            }
        };
        Ok(Some((number, value, start)))
    }
}
