//! The pprof profile model: protobuf messages, gzip sniffing, the `-raw` text parser.
//!
//! [`read_profile`] takes the complete bytes of one input (gzipped or not), classifies them
//! ([`detect`]), and decodes either a protobuf `Profile` ([`decode`]) or the text printed by
//! `go tool pprof -raw` ([`raw`]) into the same [`Profile`] model.
//!
//! The model refers to its strings by byte ranges: into the string table's bytes (protobuf) or
//! into the whole text (`-raw`). Protobuf samples are not kept at all: [`Profile::for_each_sample`]
//! decodes them from the input a second time, so a profile costs less memory than its own
//! decompressed bytes.

pub mod build;
pub mod decode;
pub mod detect;
mod inflate;
pub mod pb;
pub mod raw;
mod source;
mod validate;
mod wire;

use source::Source;
use std::io::Read;
use std::sync::Arc;

/// Everything that can be wrong with one input. The messages are those of docs/pprof-collapse.md,
/// without the `pprof-collapse: NAME:` prefix that the binary adds.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The input could not be read.
    #[error("cannot read: {0}")]
    Read(#[from] std::io::Error),
    /// Zero bytes (before or after decompression).
    #[error("empty input")]
    Empty,
    /// A gzip stream that ends early.
    #[error("truncated gzip data (incomplete download?)")]
    GzipTruncated,
    /// A gzip stream with a bad header, CRC or length.
    #[error("corrupt gzip data: {0}")]
    GzipCorrupt(String),
    /// Something recognisable that is not a profile (HTML, SVG, trace, folded stacks).
    #[error("not a profile: {0}")]
    NotAProfile(&'static str),
    /// A profile format that is not supported (yet).
    #[error("not supported: {0}")]
    NotSupported(&'static str),
    /// Bytes that do not decode as protobuf.
    #[error("not a pprof profile: malformed protobuf at byte {offset}: {reason}")]
    Malformed {
        /// Offset of the bad field in the decompressed data.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// Decodes as protobuf, but the string table says it is no profile.
    #[error("not a pprof profile: string_table[0] must be empty")]
    BadStringTable,
    /// A second `time_nanos`: several profiles concatenated.
    #[error("not a single profile: concatenated profiles")]
    Concatenated,
    /// A structurally valid protobuf whose contents are inconsistent.
    #[error("malformed profile: {0}")]
    Invalid(String),
    /// A line of `-raw` text that cannot be parsed.
    #[error("-raw text line {line}: {message}")]
    RawLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// `-raw` text that ends before its last section.
    #[error("-raw text cut off in {0}")]
    RawCutOff(&'static str),
}

/// Index of a string in [`Profile::string`]; 0 is the empty string.
pub type StrId = u32;

/// Where a string is in the profile's bytes: start and end. 32 bits each: half the memory of
/// `usize` pairs, and no profile comes near 4 GiB of strings (larger ones are refused).
pub(crate) type Span = (u32, u32);

/// The span of `start..end`, or the error for inputs whose strings go beyond 4 GiB.
pub(crate) fn span(start: usize, end: usize) -> Result<Span, ProfileError> {
    match (u32::try_from(start), u32::try_from(end)) {
        (Ok(s), Ok(e)) => Ok((s, e)),
        _ => Err(ProfileError::NotSupported("strings beyond 4 GiB")),
    }
}

/// A value column: type and unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ValueType {
    /// Type name, e.g. `samples`, `inuse_space`.
    pub ty: StrId,
    /// Unit, e.g. `count`, `bytes`.
    pub unit: StrId,
}

/// A sample label: string when `str != 0`, numeric otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Label {
    /// Key.
    pub key: StrId,
    /// String value (0 for numeric labels).
    pub str: StrId,
    /// Numeric value.
    pub num: i64,
    /// Unit of the numeric value.
    pub unit: StrId,
}

/// `Line::file` of a line without a function, `Location::mapping` of a location without a
/// mapping name.
pub const NONE: StrId = StrId::MAX;

/// One source line of a location, its function already resolved to a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Line {
    /// Function name; 0 (empty) when the line has no function or the name is empty.
    pub name: StrId,
    /// The function's file name; [`NONE`] when the line has no function.
    pub file: StrId,
    /// Line number (0 = unknown).
    pub line: i64,
}

/// A location: an address and its lines, innermost inlined function first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The location's id in the profile.
    pub id: u64,
    /// Instruction address.
    pub address: u64,
    /// Range of its lines in [`Profile::lines`].
    lines: (u32, u32),
    /// File name of its mapping; [`NONE`] when it has none (the empty string when the
    /// profile has no mappings at all, as pprof's filters see it).
    pub mapping: StrId,
}

/// One sample as handed out by [`Profile::for_each_sample`].
#[derive(Debug)]
pub struct SampleRef<'a> {
    /// Indices into [`Profile::locations`], leaf first.
    pub locations: &'a [u32],
    /// One value per sample type.
    pub values: &'a [i64],
    /// The labels, in the sample's order.
    pub labels: &'a [Label],
}

/// Samples parsed from `-raw` text, held in flat arrays.
#[derive(Debug, Default)]
pub(crate) struct SampleTable {
    /// Location ids of all samples, leaf first.
    pub location_ids: Vec<u64>,
    /// End of each sample in `location_ids`.
    pub location_end: Vec<usize>,
    /// Values of all samples (`types` per sample).
    pub values: Vec<i64>,
    /// Labels of all samples.
    pub labels: Vec<Label>,
    /// End of each sample in `labels`.
    pub label_end: Vec<usize>,
    /// The text line of each sample (for error messages).
    pub line_number: Vec<usize>,
}

/// Where the samples are.
#[derive(Debug)]
pub(crate) enum Samples {
    /// Protobuf: the number of encoded `Sample` messages, decoded on demand.
    Encoded(usize),
    /// `-raw` text: already parsed.
    Table(SampleTable),
}

/// A decoded profile (from protobuf or `-raw` text).
#[derive(Debug)]
pub struct Profile {
    /// The bytes strings point into: the string table (protobuf) or the whole text (`-raw`).
    data: Vec<u8>,
    /// Byte ranges of the strings; entry 0 is empty.
    strings: Vec<Span>,
    /// The number of strings (kept when the strings themselves are released).
    string_count: usize,
    /// Value columns.
    pub sample_types: Vec<ValueType>,
    /// Preferred column's type name (0 = none).
    pub default_sample_type: StrId,
    /// What one sampling period measures.
    pub period_type: Option<ValueType>,
    /// Sampling period.
    pub period: i64,
    /// Duration in nanoseconds (0 = unknown).
    pub duration_nanos: i64,
    /// All locations.
    pub locations: Vec<Location>,
    /// Lines of all locations.
    lines: Vec<Line>,
    location_index: validate::IdIndex,
    samples: Samples,
    /// Warnings found while reading (without the `pprof-collapse: warning:` prefix).
    pub warnings: Vec<String>,
    /// Where encoded samples are read from (protobuf only).
    source: Option<Source>,
}

impl Profile {
    /// The bytes of string `id` (empty when out of range).
    #[inline]
    pub fn string(&self, id: StrId) -> &[u8] {
        match self.strings.get(id as usize) {
            Some(&(s, e)) => &self.data[s as usize..e as usize],
            None => &[],
        }
    }

    /// String `id` with invalid UTF-8 replaced by U+FFFD.
    pub fn text(&self, id: StrId) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.string(id))
    }

    /// `type/unit` of a value column.
    pub fn type_name(&self, vt: ValueType) -> String {
        format!("{}/{}", self.text(vt.ty), self.text(vt.unit))
    }

    /// The lines of a location, innermost inlined function first.
    #[inline]
    pub fn lines(&self, location: &Location) -> &[Line] {
        &self.lines[location.lines.0 as usize..location.lines.1 as usize]
    }

    /// The number of samples.
    pub fn sample_count(&self) -> usize {
        match &self.samples {
            Samples::Encoded(count) => *count,
            Samples::Table(t) => t.location_end.len(),
        }
    }

    /// Calls `f` for every sample, in order, after checking it (known location ids, one value
    /// per sample type, string indices in range).
    pub fn for_each_sample<E: From<ProfileError>>(
        &self,
        mut f: impl FnMut(&SampleRef<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        match &self.samples {
            Samples::Encoded(_) => decode::for_each_encoded_sample(self, &mut f),
            Samples::Table(table) => self.for_each_table_sample(table, &mut f),
        }
    }

    fn for_each_table_sample<E: From<ProfileError>>(
        &self,
        table: &SampleTable,
        f: &mut impl FnMut(&SampleRef<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let types = self.sample_types.len();
        let mut locations = Vec::new();
        let (mut loc_start, mut label_start) = (0, 0);
        for (i, (&loc_end, &label_end)) in
            table.location_end.iter().zip(&table.label_end).enumerate()
        {
            locations.clear();
            for &id in &table.location_ids[loc_start..loc_end] {
                locations.push(self.location_index_of(id).ok_or_else(|| {
                    ProfileError::RawLine {
                        line: table.line_number[i],
                        message: validate::unknown_location(id),
                    }
                })?);
            }
            f(&SampleRef {
                locations: &locations,
                values: &table.values[i * types..(i + 1) * types],
                labels: &table.labels[label_start..label_end],
            })?;
            loc_start = loc_end;
            label_start = label_end;
        }
        Ok(())
    }

    /// Frees what folding no longer needs once every location's frames are known: the
    /// locations and their lines, and the strings too unless labels are still to be read.
    /// The samples stay readable.
    pub(crate) fn release_symbols(&mut self, keep_strings: bool) {
        self.locations = Vec::new();
        self.lines = Vec::new();
        if !keep_strings {
            self.data = Vec::new();
            self.strings = Vec::new();
        }
    }

    /// The index in [`Profile::locations`] of location `id`.
    #[inline]
    pub fn location_index_of(&self, id: u64) -> Option<u32> {
        self.location_index.get(id)
    }
}

/// Bytes looked at to classify an input.
const HEAD: u64 = 1 << 16;

/// Reads one input completely and decodes it (gzip, detection, protobuf or `-raw` text).
pub fn read_profile(mut input: impl Read) -> Result<Profile, ProfileError> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    parse_profile(data)
}

/// Reads and decodes the profile in the file at `path`. Protobuf is decoded while it is read
/// (and decompressed), and its samples are streamed from the file again when folded: the
/// decompressed profile is never held in memory. The second pass reads the file that was
/// opened for the first, even if another file has replaced it at `path` in between.
///
/// Anything but a regular file (a pipe, `<(...)`) can be read only once and is read into
/// memory instead.
pub fn read_profile_file(path: &std::path::Path) -> Result<Profile, ProfileError> {
    let mut file = std::fs::File::open(path)?;
    if file.metadata()?.is_file() {
        load(Source::File(Arc::new(file)))
    } else {
        let mut data = Vec::new();
        file.read_to_end(&mut data)?;
        parse_profile(data)
    }
}

/// Decodes the complete bytes of one input (gzip, detection, protobuf or `-raw` text).
pub fn parse_profile(data: Vec<u8>) -> Result<Profile, ProfileError> {
    load(Source::Memory(Arc::new(data)))
}

fn load(source: Source) -> Result<Profile, ProfileError> {
    let mut profile = {
        let (mut input, gzip) = source.open()?;
        let mut head = Vec::new();
        (&mut input)
            .take(HEAD)
            .read_to_end(&mut head)
            .map_err(|e| detect::read_error(e, gzip))?;
        if head.is_empty() {
            return Err(ProfileError::Empty);
        }
        match detect::classify(&head)? {
            detect::Kind::RawText => {
                input
                    .read_to_end(&mut head)
                    .map_err(|e| detect::read_error(e, gzip))?;
                return raw::parse_raw(head);
            }
            detect::Kind::Protobuf => {
                decode::decode_stream(std::io::Cursor::new(head).chain(input), gzip)?
            }
        }
    };
    profile.source = Some(source);
    Ok(profile)
}
