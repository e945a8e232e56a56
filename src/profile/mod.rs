//! The pprof profile model: protobuf messages, gzip sniffing, the `-raw` text parser, Go's text
//! profiles and goroutine dumps.
//!
//! [`read_profile`] takes one input (gzipped or not), classifies it ([`detect`]), and decodes
//! a protobuf `Profile` ([`decode`]), the text printed by `go tool pprof -raw` ([`raw`]), or
//! Go's `?debug=1` texts and goroutine dumps ([`text`], read as a stream) into the same
//! [`Profile`] model.
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
pub mod text;
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
    /// A line of a `?debug=1` text that cannot be parsed.
    #[error("text line {line}: {message}")]
    TextLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
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
    /// A location (index into [`Profile::locations`]) to put above everything, label frames
    /// included (a goroutine dump's `--group-by-state`).
    pub root: Option<u32>,
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
    /// Root locations (indices, `u32::MAX` for none) of each sample, or empty for none at all.
    pub roots: Vec<u32>,
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
    /// What a text input was (`?debug=1` texts and goroutine dumps).
    text: Option<text::TextInfo>,
}

impl Profile {
    /// Whether each location is a root frame that samples put above everything (a goroutine
    /// dump's `[STATE]` of `--group-by-state`) rather than one of the program's frames.
    pub fn root_locations(&self) -> Vec<bool> {
        let mut roots = vec![false; self.locations.len()];
        if let Samples::Table(table) = &self.samples {
            for &root in &table.roots {
                if let Some(is_root) = roots.get_mut(root as usize) {
                    *is_root = true;
                }
            }
        }
        roots
    }

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

    /// For Go's text formats, what the text was (for `--list`).
    pub fn text_info(&self) -> Option<&text::TextInfo> {
        self.text.as_ref()
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
                root: table.roots.get(i).copied().filter(|&r| r != u32::MAX),
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

/// Reads one input and decodes it (gzip, detection, protobuf, `-raw` text, Go's texts).
pub fn read_profile(input: impl Read) -> Result<Profile, ProfileError> {
    read_profile_with(input, &text::DumpOptions::default())
}

/// Like [`read_profile`], reading goroutine dumps with `options`. Go's texts (not gzipped)
/// are read as a stream, never held whole; other inputs are read into memory.
pub fn read_profile_with(
    mut input: impl Read,
    options: &text::DumpOptions,
) -> Result<Profile, ProfileError> {
    let mut head = Vec::new();
    (&mut input).take(HEAD).read_to_end(&mut head)?;
    // Gzip (and an empty input) go the way of a file's bytes in memory.
    let kind = if head.starts_with(&[0x1f, 0x8b]) || head.is_empty() {
        None
    } else {
        Some(detect::classify(&head)?)
    };
    let stream = std::io::Cursor::new(head).chain(input);
    match kind {
        Some(detect::Kind::Debug1(kind)) => text::read_debug1(kind, stream, false),
        Some(detect::Kind::MaybeDump) => match text::read_dump(stream, false, true, options)? {
            text::DumpResult::Dump(profile) => Ok(*profile),
            text::DumpResult::NotADump(retained, mut rest) => {
                // Everything was retained unless a goroutine header came before a NUL byte;
                // then the bytes before the NUL are gone and the rest is decoded alone.
                let mut data = retained.unwrap_or_default();
                rest.read_to_end(&mut data)?;
                load(Source::Memory(Arc::new(data)), options, false)
            }
        },
        _ => {
            let (head, mut input) = stream.into_inner();
            let mut head = head.into_inner();
            input.read_to_end(&mut head)?;
            parse_profile_with(head, options)
        }
    }
}

/// Reads and decodes the profile in the file at `path`. Protobuf is decoded while it is read
/// (and decompressed), and its samples are streamed from the file again when folded: the
/// decompressed profile is never held in memory. The second pass reads the file that was
/// opened for the first, even if another file has replaced it at `path` in between.
///
/// Anything but a regular file (a pipe, `<(...)`) can be read only once and is read into
/// memory instead.
pub fn read_profile_file(path: &std::path::Path) -> Result<Profile, ProfileError> {
    read_profile_file_with(path, &text::DumpOptions::default())
}

/// Like [`read_profile_file`], reading goroutine dumps with `options`. Go's texts are read
/// as a stream (also from a pipe).
pub fn read_profile_file_with(
    path: &std::path::Path,
    options: &text::DumpOptions,
) -> Result<Profile, ProfileError> {
    let file = std::fs::File::open(path)?;
    if file.metadata()?.is_file() {
        load(Source::File(Arc::new(file)), options, true)
    } else {
        read_profile_with(file, options)
    }
}

/// Decodes the complete bytes of one input (gzip, detection, protobuf, `-raw` text, Go's
/// texts).
pub fn parse_profile(data: Vec<u8>) -> Result<Profile, ProfileError> {
    parse_profile_with(data, &text::DumpOptions::default())
}

/// Like [`parse_profile`], reading goroutine dumps with `options`.
pub fn parse_profile_with(
    data: Vec<u8>,
    options: &text::DumpOptions,
) -> Result<Profile, ProfileError> {
    load(Source::Memory(Arc::new(data)), options, true)
}

/// Decodes `source`; `dump` false when it is known not to be a goroutine dump.
fn load(source: Source, options: &text::DumpOptions, dump: bool) -> Result<Profile, ProfileError> {
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
        let mut kind = detect::classify(&head)?;
        if kind == detect::Kind::MaybeDump && !dump {
            kind = detect::classify_not_dump(&head)?;
        }
        let stream = std::io::Cursor::new(head).chain(input);
        match kind {
            detect::Kind::RawText => {
                let (head, mut input) = stream.into_inner();
                let mut head = head.into_inner();
                input
                    .read_to_end(&mut head)
                    .map_err(|e| detect::read_error(e, gzip))?;
                return raw::parse_raw(head);
            }
            detect::Kind::Debug1(kind) => return text::read_debug1(kind, stream, gzip),
            detect::Kind::MaybeDump if text::has_header_line(stream.get_ref().0.get_ref()) => {
                if let text::DumpResult::Dump(p) = text::read_dump(stream, gzip, false, options)? {
                    return Ok(*p);
                }
                return load(source, options, false);
            }
            detect::Kind::MaybeDump => {
                // A protobuf that decodes has a NUL byte (its empty first string), so it is no
                // dump: decoding first spares such a profile a second pass.
                let head = stream.get_ref().0.get_ref().clone();
                match decode::decode_stream(stream, gzip) {
                    Ok(profile) => profile,
                    Err(e) => {
                        let (input, gzip) = source.open()?;
                        if let text::DumpResult::Dump(p) =
                            text::read_dump(input, gzip, false, options)?
                        {
                            return Ok(*p);
                        }
                        detect::classify_not_dump(&head)?;
                        return Err(e);
                    }
                }
            }
            detect::Kind::Protobuf => decode::decode_stream(stream, gzip)?,
        }
    };
    profile.source = Some(source);
    Ok(profile)
}
