//! Decoding a protobuf `Profile` (spec section 3) with exact error offsets.
//!
//! The outer message is walked once: strings, sample types, locations and functions are decoded,
//! samples are only located (byte ranges) and decoded later, one at a time, by
//! [`for_each_encoded_sample`]. Every failure names the byte offset of the bad field.

use super::wire::{Field, Fields};
use super::{
    IdIndex, Label, Line, Location, Profile, ProfileError, SampleRef, Samples, StrId, ValueType,
};
use std::collections::HashMap;

/// A function as far as folding needs it.
struct Function {
    id: u64,
    name: i64,
    /// system_name and filename (string indices, checked only).
    other_names: [i64; 2],
}

/// A location before its lines' functions are resolved.
struct RawLocation {
    id: u64,
    address: u64,
    /// (function id, line) pairs, innermost first.
    lines: Vec<(u64, i64)>,
}

/// Everything of the outer message, before validation.
#[derive(Default)]
struct Outer {
    strings: Vec<(usize, usize)>,
    sample_types: Vec<(i64, i64)>,
    samples: Vec<(usize, usize)>,
    locations: Vec<RawLocation>,
    functions: Vec<Function>,
    other_strings: Vec<i64>,
    time_seen: bool,
    duration_nanos: i64,
    period_type: Option<(i64, i64)>,
    period: i64,
    default_sample_type: i64,
}

/// Decodes and validates a (decompressed) protobuf profile.
pub fn decode_profile(data: Vec<u8>) -> Result<Profile, ProfileError> {
    let outer = read_outer(&data)?;
    match outer.strings.first() {
        Some(&(s, e)) if s == e => {}
        _ => return Err(ProfileError::BadStringTable),
    }
    build_profile(data, outer)
}

fn read_outer(data: &[u8]) -> Result<Outer, ProfileError> {
    const MSG: &str = "Profile";
    let mut out = Outer::default();
    let mut fields = Fields::new(data, 0, data.len());
    while let Some(f) = fields.next_field()? {
        match f.number {
            1 => out.sample_types.push(read_value_type(data, &f)?),
            2 => out.samples.push(f.bytes(MSG)?),
            3 => check_message(data, &f, MSG)?,
            4 => out.locations.push(read_location(data, &f)?),
            5 => out.functions.push(read_function(data, &f)?),
            6 => out.strings.push(f.bytes(MSG)?),
            7 | 8 | 15 => out.other_strings.push(f.varint(MSG)? as i64),
            9 => {
                f.varint(MSG)?;
                if out.time_seen {
                    return Err(ProfileError::Concatenated);
                }
                out.time_seen = true;
            }
            10 => out.duration_nanos = f.varint(MSG)? as i64,
            11 => out.period_type = Some(read_value_type(data, &f)?),
            12 => out.period = f.varint(MSG)? as i64,
            13 => f.repeated_varint(data, MSG, |v| out.other_strings.push(v as i64))?,
            14 => out.default_sample_type = f.varint(MSG)? as i64,
            _ => {}
        }
    }
    Ok(out)
}

/// Checks that a field holds a well-formed message (for messages that are not used).
fn check_message(data: &[u8], f: &Field, parent: &str) -> Result<(), ProfileError> {
    let (s, e) = f.bytes(parent)?;
    let mut fields = Fields::new(data, s, e);
    while fields.next_field()?.is_some() {}
    Ok(())
}

fn read_value_type(data: &[u8], f: &Field) -> Result<(i64, i64), ProfileError> {
    const MSG: &str = "ValueType";
    let (s, e) = f.bytes("Profile")?;
    let (mut ty, mut unit) = (0, 0);
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            1 => ty = f.varint(MSG)? as i64,
            2 => unit = f.varint(MSG)? as i64,
            _ => {}
        }
    }
    Ok((ty, unit))
}

fn read_function(data: &[u8], f: &Field) -> Result<Function, ProfileError> {
    const MSG: &str = "Function";
    let (s, e) = f.bytes("Profile")?;
    let mut function = Function {
        id: 0,
        name: 0,
        other_names: [0; 2],
    };
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            1 => function.id = f.varint(MSG)?,
            2 => function.name = f.varint(MSG)? as i64,
            3 | 4 => function.other_names[f.number as usize - 3] = f.varint(MSG)? as i64,
            5 => {
                f.varint(MSG)?;
            }
            _ => {}
        }
    }
    Ok(function)
}

fn read_location(data: &[u8], f: &Field) -> Result<RawLocation, ProfileError> {
    const MSG: &str = "Location";
    let (s, e) = f.bytes("Profile")?;
    let mut loc = RawLocation {
        id: 0,
        address: 0,
        lines: Vec::new(),
    };
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            1 => loc.id = f.varint(MSG)?,
            2 | 5 => {
                f.varint(MSG)?;
            }
            3 => loc.address = f.varint(MSG)?,
            4 => loc.lines.push(read_line(data, &f)?),
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
            1 => function = f.varint(MSG)?,
            2 => line = f.varint(MSG)? as i64,
            3 => {
                f.varint(MSG)?;
            }
            _ => {}
        }
    }
    Ok((function, line))
}

/// Checks a string index and narrows it.
fn str_id(index: i64, strings: usize) -> Result<StrId, ProfileError> {
    if index >= 0 && (index as u64) < strings as u64 {
        Ok(index as StrId)
    } else {
        Err(ProfileError::Invalid(format!(
            "string index {index} out of range"
        )))
    }
}

fn build_profile(data: Vec<u8>, outer: Outer) -> Result<Profile, ProfileError> {
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
    for &s in &outer.other_strings {
        str_id(s, n)?;
    }
    if sample_types.is_empty() && !outer.samples.is_empty() {
        return Err(ProfileError::Invalid(
            "samples without sample type information".into(),
        ));
    }
    let function_names = function_names(&outer.functions, n)?;
    let (locations, lines) = resolve_locations(outer.locations, &function_names)?;
    let location_index = IdIndex::build(locations.iter().map(|l| l.id), locations.len());
    Ok(Profile {
        data,
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
    })
}

/// Function id → name, checking ids and name indices.
fn function_names(
    functions: &[Function],
    strings: usize,
) -> Result<HashMap<u64, StrId>, ProfileError> {
    let mut names = HashMap::with_capacity(functions.len());
    for f in functions {
        if f.id == 0 {
            return Err(ProfileError::Invalid("function id 0".into()));
        }
        for &other in &f.other_names {
            str_id(other, strings)?;
        }
        if names.insert(f.id, str_id(f.name, strings)?).is_some() {
            return Err(ProfileError::Invalid(format!(
                "duplicate function id {}",
                f.id
            )));
        }
    }
    Ok(names)
}

/// Resolves each line's function to its name and flattens the lines.
fn resolve_locations(
    raw: Vec<RawLocation>,
    function_names: &HashMap<u64, StrId>,
) -> Result<(Vec<Location>, Vec<Line>), ProfileError> {
    let mut seen = std::collections::HashSet::with_capacity(raw.len());
    let mut locations = Vec::with_capacity(raw.len());
    let mut lines = Vec::new();
    for loc in raw {
        if loc.id == 0 {
            return Err(ProfileError::Invalid("location id 0".into()));
        }
        if !seen.insert(loc.id) {
            return Err(ProfileError::Invalid(format!(
                "duplicate location id {}",
                loc.id
            )));
        }
        let start = lines.len() as u32;
        for (function, line) in loc.lines {
            let name = if function == 0 {
                0
            } else {
                *function_names.get(&function).ok_or_else(|| {
                    ProfileError::Invalid(format!(
                        "location {} refers to unknown function id {function}",
                        loc.id
                    ))
                })?
            };
            lines.push(Line { name, line });
        }
        locations.push(Location {
            id: loc.id,
            address: loc.address,
            lines: (start, lines.len() as u32),
        });
    }
    Ok((locations, lines))
}

/// Reusable buffers for decoding one sample at a time.
#[derive(Default)]
struct SampleBuffers {
    locations: Vec<u32>,
    values: Vec<i64>,
    labels: Vec<Label>,
}

/// Decodes, checks and hands out each encoded sample.
pub(super) fn for_each_encoded_sample<E: From<ProfileError>>(
    profile: &Profile,
    ranges: &[(usize, usize)],
    f: &mut impl FnMut(&SampleRef<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut buf = SampleBuffers::default();
    for &(s, e) in ranges {
        decode_sample(profile, s, e, &mut buf)?;
        f(&SampleRef {
            locations: &buf.locations,
            values: &buf.values,
            labels: &buf.labels,
        })?;
    }
    Ok(())
}

fn decode_sample(
    profile: &Profile,
    s: usize,
    e: usize,
    buf: &mut SampleBuffers,
) -> Result<(), ProfileError> {
    const MSG: &str = "Sample";
    buf.locations.clear();
    buf.values.clear();
    buf.labels.clear();
    let data = &profile.data;
    let mut unknown = None;
    let mut fields = Fields::new(data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            1 => f.repeated_varint(data, MSG, |id| match profile.location_index.get(id) {
                Some(i) => buf.locations.push(i),
                None => unknown = unknown.or(Some(id)),
            })?,
            2 => f.repeated_varint(data, MSG, |v| buf.values.push(v as i64))?,
            3 => buf.labels.extend(read_label(profile, &f)?),
            _ => {}
        }
    }
    if let Some(id) = unknown {
        return Err(ProfileError::Invalid(format!(
            "sample refers to unknown location id {id}"
        )));
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
fn read_label(profile: &Profile, f: &Field) -> Result<Option<Label>, ProfileError> {
    const MSG: &str = "Label";
    let (s, e) = f.bytes("Sample")?;
    let (mut key, mut str, mut num, mut unit) = (0i64, 0i64, 0i64, 0i64);
    let mut fields = Fields::new(&profile.data, s, e);
    while let Some(f) = fields.next_field()? {
        match f.number {
            1 => key = f.varint(MSG)? as i64,
            2 => str = f.varint(MSG)? as i64,
            3 => num = f.varint(MSG)? as i64,
            4 => unit = f.varint(MSG)? as i64,
            _ => {}
        }
    }
    let n = profile.strings.len();
    let label = Label {
        key: str_id(key, n)?,
        str: str_id(str, n)?,
        num,
        unit: str_id(unit, n)?,
    };
    Ok((label.str != 0 || label.num != 0 || label.unit != 0).then_some(label))
}
