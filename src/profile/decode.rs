//! Decoding a protobuf `Profile` (docs/pprof-collapse.md, "Protobuf decoding") with exact error
//! offsets.
//!
//! The outer message is walked once: strings, sample types, locations and functions are decoded,
//! samples are only located (byte ranges) and decoded later, one at a time, by
//! [`for_each_encoded_sample`]. Every failure names the byte offset of the bad field.

use super::pb::tag;
use super::validate::{index_locations, str_id, unknown_location, IdIndex};
use super::wire::{shifted, Field, Fields, StreamFields, Value};
use super::{Label, Line, Location, Profile, ProfileError, SampleRef, Samples, StrId, ValueType};

/// A function as far as folding needs it.
struct Function {
    id: u64,
    name: i64,
    filename: i64,
}

/// A location whose lines still name function ids.
struct RawLocation {
    id: u64,
    address: u64,
    mapping_id: u64,
    /// Range of its (function id, line) pairs in `Outer::lines`, innermost first.
    lines: (u32, u32),
}

/// The smallest and largest string index seen in fields that are only checked.
#[derive(Clone, Copy, Default)]
struct IndexRange {
    min: i64,
    max: i64,
}

impl IndexRange {
    fn add(&mut self, index: i64) {
        self.min = self.min.min(index);
        self.max = self.max.max(index);
    }

    fn check(&self, strings: usize) -> Result<(), ProfileError> {
        str_id(self.min, strings)?;
        str_id(self.max, strings)?;
        Ok(())
    }
}

/// Everything of the outer message, before validation.
#[derive(Default)]
struct Outer {
    /// The bytes of all strings, back to back.
    string_bytes: Vec<u8>,
    strings: Vec<super::Span>,
    sample_types: Vec<(i64, i64)>,
    samples: usize,
    locations: Vec<RawLocation>,
    lines: Vec<(u64, i64)>,
    functions: Vec<Function>,
    /// Mapping id and file name index, for the filters of pprof-collapse.
    mappings: Vec<(u64, i64)>,
    other_strings: IndexRange,
    time_seen: bool,
    duration_nanos: i64,
    period_type: Option<(i64, i64)>,
    period: i64,
    default_sample_type: i64,
}

/// Decodes and validates a protobuf profile streamed from `input` (decompressed; `gzip` tells
/// how read errors are reported). Samples are only counted here; [`for_each_encoded_sample`]
/// streams them from the profile's source again.
pub(crate) fn decode_stream(
    input: impl std::io::BufRead,
    gzip: bool,
) -> Result<Profile, ProfileError> {
    let mut fields = StreamFields::new(input, gzip);
    let outer = match read_outer(&mut fields) {
        Ok(outer) => outer,
        Err(e) => {
            // A damaged gzip stream can decode to garbage first: its own error comes first.
            fields.drain()?;
            return Err(e);
        }
    };
    match outer.strings.first() {
        Some(&(s, e)) if s == e => {}
        _ => return Err(ProfileError::BadStringTable),
    }
    build_profile(outer)
}

/// A nested message of the outer one: decoded from `buf`, errors moved to absolute offsets.
fn nested<T>(
    buf: &[u8],
    f: &super::wire::StreamField,
    decode: impl FnOnce(&[u8], &Field) -> Result<T, ProfileError>,
) -> Result<T, ProfileError> {
    f.field.bytes("Profile")?;
    let relative = Field {
        number: f.field.number,
        start: 0,
        value: Value::Bytes(0, buf.len()),
    };
    decode(buf, &relative).map_err(|e| shifted(e, f.payload_at))
}

fn read_outer<R: std::io::BufRead>(fields: &mut StreamFields<R>) -> Result<Outer, ProfileError> {
    const MSG: &str = "Profile";
    use tag::profile::*;
    let mut out = Outer::default();
    while let Some(sf) = fields.next_field(|n| n != SAMPLE)? {
        let buf = &fields.buf;
        let f = &sf.field;
        match f.number {
            SAMPLE_TYPE => out.sample_types.push(nested(buf, &sf, read_value_type)?),
            SAMPLE => {
                f.bytes(MSG)?;
                out.samples += 1;
            }
            MAPPING => out.mappings.push(nested(buf, &sf, read_mapping)?),
            LOCATION => {
                let lines = &mut out.lines;
                let location = nested(buf, &sf, |d, f| read_location(d, f, lines))?;
                out.locations.push(location);
            }
            FUNCTION => {
                let others = &mut out.other_strings;
                let function = nested(buf, &sf, |d, f| read_function(d, f, others))?;
                out.functions.push(function);
            }
            STRING_TABLE => {
                f.bytes(MSG)?;
                let start = out.string_bytes.len();
                out.string_bytes.extend_from_slice(buf);
                out.strings
                    .push(super::span(start, out.string_bytes.len())?);
            }
            DROP_FRAMES | KEEP_FRAMES | DOC_URL => out.other_strings.add(f.varint(MSG)? as i64),
            TIME_NANOS => {
                f.varint(MSG)?;
                if out.time_seen {
                    return Err(ProfileError::Concatenated);
                }
                out.time_seen = true;
            }
            DURATION_NANOS => out.duration_nanos = f.varint(MSG)? as i64,
            PERIOD_TYPE => out.period_type = Some(nested(buf, &sf, read_value_type)?),
            PERIOD => out.period = f.varint(MSG)? as i64,
            COMMENT => {
                let others = &mut out.other_strings;
                f.repeated_varint(buf, MSG, |v| others.add(v as i64))?
            }
            DEFAULT_SAMPLE_TYPE => out.default_sample_type = f.varint(MSG)? as i64,
            _ => {}
        }
    }
    Ok(out)
}

/// A mapping's id and file name (string index); the other fields are only checked.
fn read_mapping(data: &[u8], f: &Field) -> Result<(u64, i64), ProfileError> {
    const MSG: &str = "Mapping";
    let (s, e) = f.bytes("Profile")?;
    let (mut id, mut file) = (0, 0);
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            tag::mapping::ID => id = f.varint(MSG)?,
            tag::mapping::FILENAME => file = f.varint(MSG)? as i64,
            _ => {}
        }
    }
    Ok((id, file))
}

fn read_value_type(data: &[u8], f: &Field) -> Result<(i64, i64), ProfileError> {
    const MSG: &str = "ValueType";
    let (s, e) = f.bytes("Profile")?;
    let (mut ty, mut unit) = (0, 0);
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            tag::value_type::TYPE => ty = f.varint(MSG)? as i64,
            tag::value_type::UNIT => unit = f.varint(MSG)? as i64,
            _ => {}
        }
    }
    Ok((ty, unit))
}

fn read_function(
    data: &[u8],
    f: &Field,
    other_strings: &mut IndexRange,
) -> Result<Function, ProfileError> {
    const MSG: &str = "Function";
    let (s, e) = f.bytes("Profile")?;
    let mut function = Function {
        id: 0,
        name: 0,
        filename: 0,
    };
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            tag::function::ID => function.id = f.varint(MSG)?,
            tag::function::NAME => function.name = f.varint(MSG)? as i64,
            tag::function::SYSTEM_NAME => other_strings.add(f.varint(MSG)? as i64),
            tag::function::FILENAME => {
                function.filename = f.varint(MSG)? as i64;
                other_strings.add(function.filename);
            }
            tag::function::START_LINE => {
                f.varint(MSG)?;
            }
            _ => {}
        }
    }
    Ok(function)
}

fn read_location(
    data: &[u8],
    f: &Field,
    lines: &mut Vec<(u64, i64)>,
) -> Result<RawLocation, ProfileError> {
    const MSG: &str = "Location";
    let (s, e) = f.bytes("Profile")?;
    let mut loc = RawLocation {
        id: 0,
        address: 0,
        mapping_id: 0,
        lines: (lines.len() as u32, lines.len() as u32),
    };
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            tag::location::ID => loc.id = f.varint(MSG)?,
            tag::location::MAPPING_ID => loc.mapping_id = f.varint(MSG)?,
            tag::location::IS_FOLDED => {
                f.varint(MSG)?;
            }
            tag::location::ADDRESS => loc.address = f.varint(MSG)?,
            tag::location::LINE => {
                lines.push(read_line(data, &f)?);
                loc.lines.1 = lines.len() as u32;
            }
            _ => {}
        }
    }
    Ok(loc)
}

fn read_line(data: &[u8], f: &Field) -> Result<(u64, i64), ProfileError> {
    const MSG: &str = "Line";
    let (s, e) = f.bytes("Location")?;
    let (mut function, mut line) = (0, 0);
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            tag::line::FUNCTION_ID => function = f.varint(MSG)?,
            tag::line::LINE => line = f.varint(MSG)? as i64,
            tag::line::COLUMN => {
                f.varint(MSG)?;
            }
            _ => {}
        }
    }
    Ok((function, line))
}

fn build_profile(outer: Outer) -> Result<Profile, ProfileError> {
    let n = outer.strings.len();
    if n > u32::MAX as usize {
        return Err(ProfileError::Invalid("too many strings".into()));
    }
    let value_type = |(ty, unit): (i64, i64)| -> Result<ValueType, ProfileError> {
        Ok(ValueType {
            ty: str_id(ty, n)?,
            unit: str_id(unit, n)?,
        })
    };
    let sample_types = outer
        .sample_types
        .iter()
        .map(|&vt| value_type(vt))
        .collect::<Result<Vec<_>, _>>()?;
    let period_type = outer.period_type.map(value_type).transpose()?;
    let default_sample_type = str_id(outer.default_sample_type, n)?;
    outer.other_strings.check(n)?;
    if sample_types.is_empty() && outer.samples > 0 {
        return Err(ProfileError::Invalid(
            "samples without sample type information".into(),
        ));
    }
    let functions = FunctionNames::new(&outer.functions, n)?;
    let mappings = mapping_names(&outer.mappings, n);
    let (locations, lines) =
        resolve_locations(outer.locations, outer.lines, &functions, &mappings)?;
    let location_index = index_locations(&locations)?;
    Ok(Profile {
        data: outer.string_bytes,
        string_count: n,
        strings: outer.strings,
        sample_types,
        default_sample_type,
        period_type,
        period: outer.period,
        duration_nanos: outer.duration_nanos,
        locations,
        lines,
        location_index,
        samples: Samples::Encoded(outer.samples),
        warnings: Vec::new(),
        source: None,
        text: None,
    })
}

/// Function id → name and file name, with ids and name indices checked.
struct FunctionNames {
    index: IdIndex,
    names: Vec<(StrId, StrId)>,
}

/// Mapping id → file name (see [`mapping_names`]).
type MappingNames = Option<std::collections::HashMap<u64, StrId>>;

/// Mapping id → file name. `None` when the profile has no mappings (every location then
/// counts as having an empty mapping name); an unknown id or an index out of range has none.
fn mapping_names(mappings: &[(u64, i64)], strings: usize) -> MappingNames {
    if mappings.is_empty() {
        return None;
    }
    let names = mappings
        .iter()
        .filter_map(|&(id, file)| Some((id, str_id(file, strings).ok()?)));
    Some(names.collect())
}

/// The mapping name of a location (see [`mapping_names`]).
fn mapping_of(mappings: &MappingNames, id: u64) -> StrId {
    match mappings {
        None => 0,
        Some(map) => map.get(&id).copied().unwrap_or(super::NONE),
    }
}

impl FunctionNames {
    fn new(functions: &[Function], strings: usize) -> Result<Self, ProfileError> {
        if functions.iter().any(|f| f.id == 0) {
            return Err(ProfileError::Invalid("function id 0".into()));
        }
        let names = functions
            .iter()
            .map(|f| Ok((str_id(f.name, strings)?, str_id(f.filename, strings)?)))
            .collect::<Result<Vec<_>, ProfileError>>()?;
        let index = IdIndex::build(functions.iter().map(|f| f.id), functions.len())
            .map_err(|id| ProfileError::Invalid(format!("duplicate function id {id}")))?;
        Ok(FunctionNames { index, names })
    }

    fn get(&self, id: u64) -> Option<(StrId, StrId)> {
        self.index.get(id).map(|i| self.names[i as usize])
    }
}

/// Resolves each line's function to its name. Both lists are converted in place (the
/// vectors are reused), so a large profile is never held twice.
fn resolve_locations(
    raw: Vec<RawLocation>,
    raw_lines: Vec<(u64, i64)>,
    functions: &FunctionNames,
    mappings: &MappingNames,
) -> Result<(Vec<Location>, Vec<Line>), ProfileError> {
    if raw.iter().any(|loc| loc.id == 0) {
        return Err(ProfileError::Invalid("location id 0".into()));
    }
    let lines = raw_lines
        .into_iter()
        .enumerate()
        .map(|(i, (function, line))| {
            let (name, file) = match function {
                0 => (0, super::NONE),
                _ => functions.get(function).ok_or((i, function))?,
            };
            Ok(Line { name, file, line })
        })
        .collect::<Result<Vec<_>, (usize, u64)>>()
        .map_err(|(i, function)| {
            let owner = &raw[raw.partition_point(|loc| loc.lines.1 as usize <= i)];
            ProfileError::Invalid(format!(
                "location {} refers to unknown function id {function}",
                owner.id
            ))
        })?;
    let locations = raw
        .into_iter()
        .map(|loc| Location {
            id: loc.id,
            address: loc.address,
            lines: loc.lines,
            mapping: mapping_of(mappings, loc.mapping_id),
        })
        .collect();
    Ok((locations, lines))
}

/// Reusable buffers for decoding one sample at a time.
#[derive(Default)]
struct SampleBuffers {
    locations: Vec<u32>,
    values: Vec<i64>,
    labels: Vec<Label>,
}

/// Decodes, checks and hands out each encoded sample, streaming the profile from its source
/// again (everything but samples is skipped).
pub(super) fn for_each_encoded_sample<E: From<ProfileError>>(
    profile: &Profile,
    f: &mut impl FnMut(&SampleRef<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let Some(source) = &profile.source else {
        return Ok(());
    };
    let (input, gzip) = source.open()?;
    let mut fields = StreamFields::new(input, gzip);
    let mut buf = SampleBuffers::default();
    while let Some(sf) = fields.next_field(|n| n == tag::profile::SAMPLE)? {
        if sf.field.number != tag::profile::SAMPLE {
            continue;
        }
        decode_sample(profile, &fields.buf, &mut buf).map_err(|e| shifted(e, sf.payload_at))?;
        f(&SampleRef {
            locations: &buf.locations,
            values: &buf.values,
            labels: &buf.labels,
            root: None,
        })?;
    }
    Ok(())
}

fn decode_sample(
    profile: &Profile,
    data: &[u8],
    buf: &mut SampleBuffers,
) -> Result<(), ProfileError> {
    const MSG: &str = "Sample";
    buf.locations.clear();
    buf.values.clear();
    buf.labels.clear();
    let mut unknown = None;
    let mut fields = Fields::new(data, 0, data.len());
    while let Some(f) = fields.next_field()? {
        match f.number {
            tag::sample::LOCATION_ID => {
                f.repeated_varint(data, MSG, |id| match profile.location_index.get(id) {
                    Some(i) => buf.locations.push(i),
                    None => unknown = unknown.or(Some(id)),
                })?
            }
            tag::sample::VALUE => f.repeated_varint(data, MSG, |v| buf.values.push(v as i64))?,
            tag::sample::LABEL => buf.labels.extend(read_label(profile, data, &f)?),
            _ => {}
        }
    }
    if let Some(id) = unknown {
        return Err(ProfileError::Invalid(unknown_location(id)));
    }
    if buf.values.len() != profile.sample_types.len() {
        return Err(ProfileError::Invalid(format!(
            "sample has {} values but the profile has {} sample types",
            buf.values.len(),
            profile.sample_types.len()
        )));
    }
    Ok(())
}

/// Decodes a label; `None` for labels that are neither string nor numeric.
fn read_label(profile: &Profile, data: &[u8], f: &Field) -> Result<Option<Label>, ProfileError> {
    const MSG: &str = "Label";
    let (s, e) = f.bytes("Sample")?;
    let (mut key, mut str, mut num, mut unit) = (0i64, 0i64, 0i64, 0i64);
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            tag::label::KEY => key = f.varint(MSG)? as i64,
            tag::label::STR => str = f.varint(MSG)? as i64,
            tag::label::NUM => num = f.varint(MSG)? as i64,
            tag::label::NUM_UNIT => unit = f.varint(MSG)? as i64,
            _ => {}
        }
    }
    let n = profile.string_count;
    let label = Label {
        key: str_id(key, n)?,
        str: str_id(str, n)?,
        num,
        unit: str_id(unit, n)?,
    };
    Ok((label.str != 0 || label.num != 0 || label.unit != 0).then_some(label))
}
