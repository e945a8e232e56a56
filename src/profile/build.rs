//! Building a [`Profile`] from parts held in memory: the sample-shaping stage (`crate::shape`)
//! hands its result to the folding stage this way, in the model folding already reads.

use super::validate::IdIndex;
use super::{Label, Line, Location, Profile, SampleTable, Samples, Span, StrId, ValueType};

/// Strings: their bytes back to back and the span of each; entry 0 must be empty.
#[derive(Clone, Debug, Default)]
pub struct StringTable {
    data: Vec<u8>,
    spans: Vec<Span>,
    index: std::collections::HashMap<Vec<u8>, StrId>,
}

impl StringTable {
    /// A table holding only the empty string (id 0).
    pub fn new() -> Self {
        let mut table = StringTable::default();
        table.spans.push((0, 0));
        table.index.insert(Vec::new(), 0);
        table
    }

    /// The id of `bytes`, added when new.
    pub fn intern(&mut self, bytes: &[u8]) -> StrId {
        if let Some(&id) = self.index.get(bytes) {
            return id;
        }
        let start = self.data.len();
        self.data.extend_from_slice(bytes);
        // Shaped profiles come from profiles whose strings fit 32-bit positions, and a
        // string is stored once however often it is used.
        let end = u32::try_from(self.data.len()).unwrap_or(u32::MAX);
        self.spans.push((start as u32, end));
        let id = (self.spans.len() - 1) as StrId;
        self.index.insert(bytes.to_vec(), id);
        id
    }

    /// The id of `bytes`, if it is in the table.
    pub fn find(&self, bytes: &[u8]) -> Option<StrId> {
        self.index.get(bytes).copied()
    }

    /// The bytes of string `id` (empty when unknown).
    pub fn get(&self, id: StrId) -> &[u8] {
        match self.spans.get(id as usize) {
            Some(&(s, e)) => &self.data[s as usize..e as usize],
            None => &[],
        }
    }
}

/// One location of a profile being built: its lines, innermost inlined function first.
#[derive(Clone, Debug, Default)]
pub struct LocationParts {
    /// Instruction address.
    pub address: u64,
    /// Lines, innermost first.
    pub lines: Vec<Line>,
}

/// One sample of a profile being built.
#[derive(Clone, Copy, Debug)]
pub struct SampleParts<'a> {
    /// Indices into the locations, leaf first.
    pub locations: &'a [u32],
    /// One value per sample type.
    pub values: &'a [i64],
    /// Labels.
    pub labels: &'a [Label],
}

/// The header of a profile being built.
#[derive(Clone, Debug, Default)]
pub struct Header {
    /// Value columns.
    pub sample_types: Vec<ValueType>,
    /// Preferred column's type name (0 = none).
    pub default_sample_type: StrId,
    /// What one sampling period measures.
    pub period_type: Option<ValueType>,
    /// Sampling period.
    pub period: i64,
}

/// Builds a profile from its strings, header, locations (ids are their index + 1) and samples.
pub fn from_parts<'a>(
    strings: &StringTable,
    header: &Header,
    locations: &[LocationParts],
    samples: impl Iterator<Item = SampleParts<'a>>,
) -> Profile {
    let mut lines = Vec::new();
    let mut locs = Vec::with_capacity(locations.len());
    for (i, loc) in locations.iter().enumerate() {
        let start = lines.len() as u32;
        lines.extend_from_slice(&loc.lines);
        locs.push(Location {
            id: i as u64 + 1,
            address: loc.address,
            lines: (start, lines.len() as u32),
            mapping: super::NONE,
        });
    }
    let mut table = SampleTable::default();
    for s in samples {
        table
            .location_ids
            .extend(s.locations.iter().map(|&l| u64::from(l) + 1));
        table.location_end.push(table.location_ids.len());
        table.values.extend_from_slice(s.values);
        table.labels.extend_from_slice(s.labels);
        table.label_end.push(table.labels.len());
        table.line_number.push(0);
    }
    let index: Vec<u32> = std::iter::once(u32::MAX)
        .chain(0..locs.len() as u32)
        .collect();
    Profile {
        data: strings.data.clone(),
        string_count: strings.spans.len(),
        strings: strings.spans.clone(),
        sample_types: header.sample_types.clone(),
        default_sample_type: header.default_sample_type,
        period_type: header.period_type,
        period: header.period,
        duration_nanos: 0,
        locations: locs,
        lines,
        location_index: IdIndex::Dense(index),
        samples: Samples::Table(table),
        warnings: Vec::new(),
        source: None,
        text: None,
    }
}

impl Profile {
    /// The number of strings in the profile's string table (ids `0..string_count()`).
    pub fn string_count(&self) -> usize {
        self.string_count
    }
}
