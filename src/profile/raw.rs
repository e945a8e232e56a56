//! The text of `go tool pprof -raw` (docs/pprof-collapse.md, "The -raw text"), parsed
//! by content, not by indentation.

use super::validate::index_locations;
use super::{Label, Line, Location, Profile, ProfileError, SampleTable, Samples, StrId, ValueType};

/// Parses `-raw` text (the whole, decompressed input).
pub fn parse_raw(data: Vec<u8>) -> Result<Profile, ProfileError> {
    if u32::try_from(data.len()).is_err() {
        // Strings are kept as 32-bit positions in the text.
        return Err(ProfileError::NotSupported("-raw text larger than 4 GiB"));
    }
    let mut parser = Parser {
        data: &data,
        strings: vec![(0, 0)],
        header: Header::default(),
        table: SampleTable::default(),
        pending_labels: Vec::new(),
        locations: Vec::new(),
        lines: Vec::new(),
        unrecognised: None,
        mapping_ids: Vec::new(),
        mappings: None,
    };
    parser.run()?;
    parser.resolve_mappings();
    let Parser {
        strings,
        header,
        table,
        locations,
        lines,
        unrecognised,
        ..
    } = parser;
    let location_index = index_locations(&locations)?;
    let warnings = unrecognised
        .map(|n| format!("line {n}: unrecognised location text"))
        .into_iter()
        .collect();
    Ok(Profile {
        data,
        string_count: strings.len(),
        strings,
        sample_types: header.sample_types,
        default_sample_type: header.default_sample_type,
        period_type: header.period_type,
        period: header.period,
        duration_nanos: 0,
        locations,
        lines,
        location_index,
        samples: Samples::Table(table),
        warnings,
        source: None,
        text: None,
    })
}

#[derive(Default)]
struct Header {
    sample_types: Vec<ValueType>,
    default_sample_type: StrId,
    period_type: Option<ValueType>,
    period: i64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Header,
    Types,
    Samples,
    Locations,
    Mappings,
    Done,
}

struct Parser<'a> {
    data: &'a [u8],
    strings: Vec<super::Span>,
    header: Header,
    table: SampleTable,
    /// Label lines of the current sample: (line number, start, end).
    pending_labels: Vec<(usize, usize, usize)>,
    locations: Vec<Location>,
    lines: Vec<Line>,
    /// First line with location text that does not fit the grammar.
    unrecognised: Option<usize>,
    /// The `M=` of each location head.
    mapping_ids: Vec<Option<u64>>,
    /// The `Mappings` section: id and file name (`None`: no such section).
    mappings: Option<Vec<(u64, StrId)>>,
}

/// A trimmed line: its text and where it starts in the input.
#[derive(Clone, Copy)]
struct Text<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> Text<'a> {
    fn sub(&self, start: usize, end: usize) -> Text<'a> {
        Text {
            s: &self.s[start..end],
            at: self.at + start,
        }
    }

    fn trim(&self) -> Text<'a> {
        let start = self
            .s
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(self.s.len());
        let end = self
            .s
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(start, |e| e + 1);
        self.sub(start, end.max(start))
    }

    /// Tokens separated by ASCII whitespace.
    fn tokens(&self) -> impl Iterator<Item = Text<'a>> + 'a {
        let me = *self;
        let mut pos = 0;
        std::iter::from_fn(move || {
            while pos < me.s.len() && me.s[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if pos == me.s.len() {
                return None;
            }
            let start = pos;
            while pos < me.s.len() && !me.s[pos].is_ascii_whitespace() {
                pos += 1;
            }
            Some(me.sub(start, pos))
        })
    }
}

impl<'a> Parser<'a> {
    fn run(&mut self) -> Result<(), ProfileError> {
        let data = self.data;
        let mut section = Section::Header;
        let mut pos = 0;
        let mut number = 0;
        while pos < data.len() && section != Section::Done {
            let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
            number += 1;
            let line = Text {
                s: &data[pos..end],
                at: pos,
            }
            .trim();
            pos = end + 1;
            if !line.s.is_empty() {
                section = self.line(section, line, number)?;
            }
        }
        self.finish_sample();
        match section {
            Section::Header => Err(ProfileError::RawCutOff("section header")),
            Section::Types | Section::Samples => Err(ProfileError::RawCutOff("Samples")),
            Section::Locations => Err(ProfileError::RawCutOff("Locations")),
            Section::Mappings | Section::Done => Ok(()),
        }
    }

    fn line(
        &mut self,
        section: Section,
        line: Text<'a>,
        number: usize,
    ) -> Result<Section, ProfileError> {
        match section {
            Section::Header => Ok(self.header_line(line)),
            Section::Types if !is_section(line) => {
                self.types_line(line);
                Ok(Section::Samples)
            }
            Section::Types | Section::Samples if is_section(line) => {
                self.finish_sample();
                Ok(if line.s == b"Locations" {
                    Section::Locations
                } else {
                    Section::Done
                })
            }
            Section::Types | Section::Samples => {
                self.sample_line(line, number)?;
                Ok(Section::Samples)
            }
            Section::Locations if line.s == b"Mappings" => {
                self.mappings = Some(Vec::new());
                Ok(Section::Mappings)
            }
            Section::Locations => {
                self.location_line(line, number)?;
                Ok(Section::Locations)
            }
            Section::Mappings => {
                if let Some((id, file)) = split_mapping(line) {
                    let file = self.add_string(file);
                    self.mappings.get_or_insert_with(Vec::new).push((id, file));
                }
                Ok(Section::Mappings)
            }
            Section::Done => Ok(Section::Done),
        }
    }

    fn add_string(&mut self, t: Text<'_>) -> StrId {
        if t.s.is_empty() {
            return 0;
        }
        // parse_raw refused texts whose positions do not fit in 32 bits.
        self.strings.push((t.at as u32, (t.at + t.s.len()) as u32));
        (self.strings.len() - 1) as StrId
    }

    fn header_line(&mut self, line: Text<'a>) -> Section {
        if line.s == b"Samples:" {
            return Section::Types;
        }
        if let Some(rest) = line.s.strip_prefix(b"PeriodType:") {
            let rest = line.sub(line.s.len() - rest.len(), line.s.len());
            let mut tokens = rest.tokens();
            if let (Some(ty), unit) = (tokens.next(), tokens.next()) {
                let ty = self.add_string(ty);
                let unit = unit.map_or(0, |u| self.add_string(u));
                self.header.period_type = Some(ValueType { ty, unit });
            }
        } else if let Some(rest) = line.s.strip_prefix(b"Period:") {
            if let Some(p) = parse_int(trim_bytes(rest)) {
                self.header.period = p;
            }
        }
        Section::Header
    }

    fn types_line(&mut self, line: Text<'a>) {
        for token in line.tokens() {
            let (token, is_default) = match token.s.strip_suffix(b"[dflt]") {
                Some(rest) => (token.sub(0, rest.len()), true),
                None => (token, false),
            };
            let slash = token.s.iter().position(|&b| b == b'/');
            let (ty, unit) = match slash {
                Some(i) => (token.sub(0, i), token.sub(i + 1, token.s.len())),
                None => (token, token.sub(token.s.len(), token.s.len())),
            };
            let vt = ValueType {
                ty: self.add_string(ty),
                unit: self.add_string(unit),
            };
            if is_default && self.header.default_sample_type == 0 {
                self.header.default_sample_type = vt.ty;
            }
            self.header.sample_types.push(vt);
        }
    }

    fn sample_line(&mut self, line: Text<'a>, number: usize) -> Result<(), ProfileError> {
        if let Some((values, ids)) = split_sample(line.s) {
            self.finish_sample();
            let types = self.header.sample_types.len();
            if values.len() != types {
                return Err(ProfileError::RawLine {
                    line: number,
                    message: format!(
                        "sample has {} values but the header names {types} sample types",
                        values.len()
                    ),
                });
            }
            let t = &mut self.table;
            t.values.extend(values);
            t.location_ids.extend(ids);
            t.location_end.push(t.location_ids.len());
            t.line_number.push(number);
            t.label_end.push(t.labels.len());
            return Ok(());
        }
        if contains(line.s, b":[") && !self.table.location_end.is_empty() {
            self.pending_labels
                .push((number, line.at, line.at + line.s.len()));
            return Ok(());
        }
        Err(ProfileError::RawLine {
            line: number,
            message: "malformed sample line".into(),
        })
    }

    /// Turns the label lines of the last sample into labels.
    fn finish_sample(&mut self) {
        if self.pending_labels.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending_labels);
        let data = self.data;
        for (i, &(_, s, e)) in pending.iter().enumerate() {
            let text = Text {
                s: &data[s..e],
                at: s,
            };
            let entries = label_entries(text);
            let numeric =
                i > 0 || (pending.len() == 1 && entries.iter().all(|(_, v)| is_numeric(v)));
            for (key, values) in entries {
                let key = self.add_string(key);
                if numeric {
                    self.numeric_labels(key, &values);
                } else {
                    for v in values {
                        let str = self.add_string(v);
                        self.table.labels.push(Label {
                            key,
                            str,
                            num: 0,
                            unit: 0,
                        });
                    }
                }
            }
        }
        if let Some(end) = self.table.label_end.last_mut() {
            *end = self.table.labels.len();
        }
    }

    fn numeric_labels(&mut self, key: StrId, values: &[Text<'_>]) {
        let mut last: Option<usize> = None;
        for v in values {
            match parse_int(v.s) {
                Some(num) => {
                    self.table.labels.push(Label {
                        key,
                        str: 0,
                        num,
                        unit: 0,
                    });
                    last = Some(self.table.labels.len() - 1);
                }
                None => {
                    if let Some(i) = last.take() {
                        let unit = self.add_string(*v);
                        self.table.labels[i].unit = unit;
                    }
                }
            }
        }
        // A label with neither value nor unit does not exist (as in the protobuf).
        let labels = &mut self.table.labels;
        let start = self.table.label_end.last().copied().unwrap_or(0);
        let mut keep = start;
        for i in start..labels.len() {
            let l = labels[i];
            if l.str != 0 || l.num != 0 || l.unit != 0 {
                labels[keep] = l;
                keep += 1;
            }
        }
        labels.truncate(keep);
    }

    fn location_line(&mut self, line: Text<'a>, number: usize) -> Result<(), ProfileError> {
        if let Some((id, address, mapping, text)) = split_location_head(line) {
            let start = self.lines.len() as u32;
            self.locations.push(Location {
                id,
                address,
                lines: (start, start),
                mapping: 0,
            });
            self.mapping_ids.push(mapping);
            if let Some(text) = text {
                self.add_line(text, number);
            }
            return Ok(());
        }
        if self.locations.is_empty() {
            return Err(ProfileError::RawLine {
                line: number,
                message: "malformed location line".into(),
            });
        }
        self.add_line(line, number);
        Ok(())
    }

    fn add_line(&mut self, text: Text<'a>, number: usize) {
        let line = match parse_line_text(text) {
            Some((None, _)) => Line {
                name: 0,
                file: super::NONE,
                line: 0,
            },
            Some((Some((name, file)), line)) => Line {
                name: self.add_string(name),
                file: self.add_string(file),
                line,
            },
            None => {
                self.unrecognised.get_or_insert(number);
                let first = text
                    .s
                    .iter()
                    .position(|&b| b == b' ')
                    .unwrap_or(text.s.len());
                Line {
                    name: self.add_string(text.sub(0, first)),
                    file: 0,
                    line: 0,
                }
            }
        };
        self.lines.push(line);
        if let Some(loc) = self.locations.last_mut() {
            loc.lines.1 = self.lines.len() as u32;
        }
    }
}

impl Parser<'_> {
    /// Gives every location the file name of its mapping. Without mappings (no `Mappings`
    /// section, or an empty one) every location has an empty one; a head without `M=` or with
    /// an unknown id has none.
    fn resolve_mappings(&mut self) {
        let mappings = match &self.mappings {
            Some(m) if !m.is_empty() => m,
            _ => return,
        };
        let names: std::collections::HashMap<u64, StrId> = mappings.iter().copied().collect();
        for (loc, id) in self.locations.iter_mut().zip(&self.mapping_ids) {
            loc.mapping = id
                .and_then(|id| names.get(&id).copied())
                .unwrap_or(super::NONE);
        }
    }
}

/// `ID: 0xSTART/0xLIMIT/0xOFFSET FILE BUILDID FLAGS` → (id, file): FILE is the rest without
/// its last two space-separated fields (all of it when there are fewer).
fn split_mapping(line: Text<'_>) -> Option<(u64, Text<'_>)> {
    let s = line.s;
    let colon = memchr::memchr(b':', s)?;
    let id = parse_uint(&s[..colon])?;
    let rest = s[colon + 1..].strip_prefix(b" 0x")?;
    let at = colon + 4;
    let Some(space) = memchr::memchr(b' ', rest) else {
        return Some((id, line.sub(s.len(), s.len())));
    };
    let start = at + space + 1;
    let tail = &s[start..];
    let end = match memchr::memrchr(b' ', tail) {
        Some(last) => memchr::memrchr(b' ', &tail[..last]).unwrap_or(tail.len()),
        None => tail.len(),
    };
    Some((id, line.sub(start, start + end)))
}

fn is_section(line: Text<'_>) -> bool {
    line.s == b"Locations" || line.s == b"Mappings"
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn trim_bytes(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// A decimal integer with optional `-`.
fn parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, s),
    };
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = std::str::from_utf8(digits).ok()?.parse::<i64>().ok()?;
    Some(if neg { -v } else { v })
}

/// An unsigned decimal integer.
fn parse_uint(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// `VALUES: IDS` → (values, location ids), when the line is a sample line.
fn split_sample(line: &[u8]) -> Option<(Vec<i64>, Vec<u64>)> {
    let colon = memchr::memchr(b':', line)?;
    let values: Option<Vec<i64>> = line[..colon]
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .map(parse_int)
        .collect();
    let values = values.filter(|v| !v.is_empty())?;
    if line[..colon].last().is_some_and(u8::is_ascii_whitespace) {
        return None;
    }
    let ids: Option<Vec<u64>> = line[colon + 1..]
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .map(parse_uint)
        .collect();
    Some((values, ids?))
}

/// The `KEY:[V1 V2 ...]` entries of a label line.
fn label_entries(line: Text<'_>) -> Vec<(Text<'_>, Vec<Text<'_>>)> {
    let s = line.s;
    let mut entries = Vec::new();
    let mut pos = 0;
    while pos < s.len() {
        while pos < s.len() && s[pos] == b' ' {
            pos += 1;
        }
        let Some(open) = memchr::memmem::find(&s[pos..], b":[").map(|i| pos + i) else {
            break;
        };
        let key = line.sub(pos, open);
        let values_start = open + 2;
        let close = (values_start..s.len())
            .find(|&j| s[j] == b']' && (j + 1 == s.len() || s[j + 1] == b' '))
            .unwrap_or(s.len());
        let values = line.sub(values_start, close).tokens().collect();
        entries.push((key, values));
        pos = close + 1;
    }
    entries
}

/// Every value an integer, each optionally followed by one unit word.
fn is_numeric(values: &[Text<'_>]) -> bool {
    let mut after_number = false;
    for v in values {
        if parse_int(v.s).is_some() {
            after_number = true;
        } else if after_number {
            after_number = false;
        } else {
            return false;
        }
    }
    true
}

/// A location head's parts: id, address, mapping id, line text.
type LocationHead<'a> = (u64, u64, Option<u64>, Option<Text<'a>>);

/// `ID: 0xHEX( M=MAPID)?( [F])?( LINETEXT)?` → (id, address, mapping id, line text).
fn split_location_head(line: Text<'_>) -> Option<LocationHead<'_>> {
    let s = line.s;
    let colon = memchr::memchr(b':', s)?;
    let id = parse_uint(&s[..colon])?;
    let rest = s[colon + 1..].strip_prefix(b" 0x")?;
    let hex = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if hex == 0 || hex > 16 {
        return None;
    }
    let address = u64::from_str_radix(std::str::from_utf8(&rest[..hex]).ok()?, 16).ok()?;
    let mut pos = colon + 4 + hex;
    let mut mapping = None;
    if let Some(m) = s[pos..].strip_prefix(b" M=") {
        let digits = m.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        mapping = parse_uint(&m[..digits]);
        pos += 3 + digits;
    }
    if s[pos..].starts_with(b" [F]") {
        pos += 4;
    }
    if pos == s.len() {
        return Some((id, address, mapping, None));
    }
    if s[pos] != b' ' {
        return None;
    }
    Some((id, address, mapping, Some(line.sub(pos + 1, s.len()))))
}

/// A line's function (name and file; `None`: no function) and line number.
type LineText<'a> = (Option<(Text<'a>, Text<'a>)>, i64);

/// `NAME FILE:LINE[:COL] s=START[(SYSNAME)]` → (name and file, line); `??` → no function.
/// `None` when the text does not fit.
fn parse_line_text(text: Text<'_>) -> Option<LineText<'_>> {
    let s = text.s;
    if s == b"??" {
        return Some((None, 0));
    }
    let rest = strip_start_line(s)?;
    // No space: an empty name whose separator was trimmed away (continuation lines).
    let (name_end, file_start) = match rest.iter().rposition(|&b| b == b' ') {
        Some(space) => (space, space + 1),
        None => (0, 0),
    };
    let (file_end, line) = file_line(&rest[file_start..])?;
    let file = text.sub(file_start, file_start + file_end);
    Some((Some((text.sub(0, name_end), file)), line))
}

/// Removes ` s=INT` and an optional `(SYSNAME)` after it, from the right.
fn strip_start_line(s: &[u8]) -> Option<&[u8]> {
    let finder = memchr::memmem::FinderRev::new(b" s=");
    let mut end = s.len();
    while let Some(p) = finder.rfind(&s[..end]) {
        let after = &s[p + 3..];
        let digits = after.strip_prefix(b"-").unwrap_or(after);
        let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
        let tail = &digits[n..];
        if n > 0 && (tail.is_empty() || (tail.starts_with(b"(") && tail.ends_with(b")"))) {
            return Some(&s[..p]);
        }
        end = p;
    }
    None
}

/// `FILE:LINE` or `FILE:LINE:COL` → (end of FILE, LINE), taking the first `:INT(:INT)?` that
/// reaches the end.
fn file_line(s: &[u8]) -> Option<(usize, i64)> {
    for (i, _) in s.iter().enumerate().filter(|(_, &b)| b == b':') {
        let tail = &s[i + 1..];
        let (line, col) = match memchr::memchr(b':', tail) {
            Some(j) => (&tail[..j], Some(&tail[j + 1..])),
            None => (tail, None),
        };
        if let Some(n) = parse_int(line) {
            if col.is_none_or(|c| parse_int(c).is_some()) {
                return Some((i, n));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
