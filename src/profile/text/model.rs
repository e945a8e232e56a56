//! Builds the profile model from text as it is read: strings, locations and samples are
//! interned, and equal samples (same stack, labels and root frame) are summed, so memory grows
//! with the distinct stacks, not with the text.

use super::super::validate::IdIndex;
use super::super::{
    Label, Line, Location, Profile, SampleTable, Samples, Span, StrId, ValueType, NONE,
};
use super::TextInfo;
use crate::hash::{FastHasher, FastMap};
use std::hash::Hasher;

/// The profile being built.
pub(crate) struct Builder {
    data: Vec<u8>,
    strings: Vec<Span>,
    string_ids: FastMap<Box<[u8]>, StrId>,
    locations: Vec<Location>,
    lines: Vec<Line>,
    frame_ids: FastMap<(StrId, StrId, i64), u64>,
    /// The same locations by their texts (`name NUL file NUL line`): one lookup per printed
    /// frame instead of three.
    frame_texts: FastMap<Box<[u8]>, u64>,
    scratch: Vec<u8>,
    address_ids: FastMap<u64, u64>,
    /// The first sample with each hash of (root, labels, locations); others with the same
    /// hash are chained through `same_hash` (the samples themselves are the keys).
    sample_ids: FastMap<u64, u32>,
    same_hash: Vec<u32>,
    table: SampleTable,
    roots: Vec<u32>,
    types: usize,
}

/// No root frame (in [`SampleTable::roots`]).
pub(crate) const NO_ROOT: u32 = u32::MAX;

/// The end of a `same_hash` chain.
const NO_SAMPLE: u32 = u32::MAX;

/// The root location's index, from its id (0 = none).
fn root_index(root: u64) -> u32 {
    if root == 0 {
        NO_ROOT
    } else {
        root as u32 - 1
    }
}

fn sample_hash(locations: &[u64], labels: &[Label], root: u64) -> u64 {
    let mut h = FastHasher::default();
    h.write_u64(root);
    for l in labels {
        h.write_u64(u64::from(l.key) << 32 | u64::from(l.str));
        h.write_u64(l.num as u64 ^ u64::from(l.unit) << 40);
    }
    h.write_u64(labels.len() as u64);
    for &location in locations {
        h.write_u64(location);
    }
    h.finish()
}

impl Builder {
    /// An empty profile with `types` value columns.
    pub(crate) fn new(types: usize) -> Self {
        Builder {
            data: Vec::new(),
            strings: vec![(0, 0)],
            string_ids: FastMap::default(),
            locations: Vec::new(),
            lines: Vec::new(),
            frame_ids: FastMap::default(),
            frame_texts: FastMap::default(),
            scratch: Vec::new(),
            address_ids: FastMap::default(),
            sample_ids: FastMap::default(),
            same_hash: Vec::new(),
            table: SampleTable::default(),
            roots: Vec::new(),
            types,
        }
    }

    /// The id of string `s` (0 for the empty string).
    pub(crate) fn string(&mut self, s: &[u8]) -> StrId {
        if s.is_empty() {
            return 0;
        }
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        let id = self.strings.len() as StrId;
        let start = self.data.len();
        self.data.extend_from_slice(s);
        // Text strings stay far below 4 GiB: only distinct names are stored.
        self.strings.push((start as u32, self.data.len() as u32));
        self.string_ids.insert(s.into(), id);
        id
    }

    /// The bytes of string `id`.
    pub(crate) fn bytes(&self, id: StrId) -> &[u8] {
        let (s, e) = self.strings[id as usize];
        &self.data[s as usize..e as usize]
    }

    /// The location of a frame named `name` in `file` (0 = unknown) at source line `line`
    /// (0 = unknown).
    pub(crate) fn frame(&mut self, name: StrId, file: StrId, line: i64) -> u64 {
        if let Some(&id) = self.frame_ids.get(&(name, file, line)) {
            return id;
        }
        let id = self.push_location(0, Some(Line { name, file, line }));
        self.frame_ids.insert((name, file, line), id);
        id
    }

    /// [`Builder::frame`] from the texts of the name and the file.
    pub(crate) fn frame_of(&mut self, name: &[u8], file: &[u8], line: i64) -> u64 {
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        key.extend_from_slice(name);
        key.push(0);
        key.extend_from_slice(file);
        key.push(0);
        key.extend_from_slice(&line.to_le_bytes());
        let id = match self.frame_texts.get(&key[..]) {
            Some(&id) => id,
            None => {
                let (name, file) = (self.string(name), self.string(file));
                let id = self.frame(name, file, line);
                self.frame_texts.insert(key.as_slice().into(), id);
                id
            }
        };
        self.scratch = key;
        id
    }

    /// The location of an unsymbolized address (frame `0x…`).
    pub(crate) fn address(&mut self, address: u64) -> u64 {
        if let Some(&id) = self.address_ids.get(&address) {
            return id;
        }
        let id = self.push_location(address, None);
        self.address_ids.insert(address, id);
        id
    }

    fn push_location(&mut self, address: u64, line: Option<Line>) -> u64 {
        let id = self.locations.len() as u64 + 1;
        let start = self.lines.len() as u32;
        self.lines.extend(line);
        self.locations.push(Location {
            id,
            address,
            lines: (start, self.lines.len() as u32),
            // Texts have no mappings: a filter's regexp never matches a mapping name.
            mapping: NONE,
        });
        id
    }

    /// Adds `values` to the sample with these locations (leaf first), labels and root frame
    /// (a location id, or 0 for none); returns the sample's index.
    pub(crate) fn add(
        &mut self,
        locations: &[u64],
        labels: &[Label],
        root: u64,
        values: &[i64],
    ) -> usize {
        let hash = sample_hash(locations, labels, root);
        let index = match self.find(hash, locations, labels, root) {
            Some(i) => i,
            None => self.push_sample(hash, locations, labels, root),
        };
        self.add_values(index, values, 1);
        index
    }

    /// The sample with this hash and these parts, if there is one.
    fn find(&self, hash: u64, locations: &[u64], labels: &[Label], root: u64) -> Option<usize> {
        let mut i = *self.sample_ids.get(&hash)? as usize;
        loop {
            if self.is_sample(i, locations, labels, root) {
                return Some(i);
            }
            match self.same_hash[i] {
                NO_SAMPLE => return None,
                next => i = next as usize,
            }
        }
    }

    fn is_sample(&self, i: usize, locations: &[u64], labels: &[Label], root: u64) -> bool {
        let t = &self.table;
        let loc_start = if i == 0 { 0 } else { t.location_end[i - 1] };
        let label_start = if i == 0 { 0 } else { t.label_end[i - 1] };
        self.roots[i] == root_index(root)
            && t.location_ids[loc_start..t.location_end[i]] == *locations
            && t.labels[label_start..t.label_end[i]] == *labels
    }

    /// Adds (`sign` 1) or removes (`sign` -1) values of sample `index`.
    pub(crate) fn add_values(&mut self, index: usize, values: &[i64], sign: i64) {
        let row = &mut self.table.values[index * self.types..(index + 1) * self.types];
        for (sum, v) in row.iter_mut().zip(values) {
            *sum = sum.saturating_add(v.saturating_mul(sign));
        }
    }

    fn push_sample(&mut self, hash: u64, locations: &[u64], labels: &[Label], root: u64) -> usize {
        let t = &mut self.table;
        let index = t.location_end.len();
        t.location_ids.extend_from_slice(locations);
        t.location_end.push(t.location_ids.len());
        t.labels.extend_from_slice(labels);
        t.label_end.push(t.labels.len());
        t.values.extend(std::iter::repeat_n(0, self.types));
        t.line_number.push(0);
        self.roots.push(root_index(root));
        let previous = self.sample_ids.insert(hash, index as u32);
        self.same_hash.push(previous.unwrap_or(NO_SAMPLE));
        index
    }

    /// The value type `ty/unit`.
    pub(crate) fn value_type(&mut self, ty: &str, unit: &str) -> ValueType {
        ValueType {
            ty: self.string(ty.as_bytes()),
            unit: self.string(unit.as_bytes()),
        }
    }

    /// The finished profile.
    pub(crate) fn finish(
        self,
        sample_types: Vec<ValueType>,
        default_sample_type: StrId,
        warnings: Vec<String>,
        info: TextInfo,
    ) -> Profile {
        let Builder {
            data,
            strings,
            locations,
            lines,
            mut table,
            roots,
            ..
        } = self;
        if roots.iter().any(|&r| r != NO_ROOT) {
            table.roots = roots;
        }
        let count = locations.len();
        let location_index = IdIndex::build(locations.iter().map(|l| l.id), count)
            .unwrap_or(IdIndex::Dense(Vec::new()));
        Profile {
            data,
            string_count: strings.len(),
            strings,
            sample_types,
            default_sample_type,
            period_type: None,
            period: 0,
            duration_nanos: 0,
            locations,
            lines,
            location_index,
            samples: Samples::Table(table),
            warnings,
            source: None,
            text: Some(info),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_samples_are_summed_and_different_ones_kept_apart() {
        let mut b = Builder::new(2);
        let f = b.string(b"main.f");
        let (x, y) = (b.frame(f, 0, 1), b.frame(f, 0, 2));
        assert_eq!(b.frame(f, 0, 1), x);
        let label = Label {
            key: b.string(b"k"),
            str: b.string(b"v"),
            num: 0,
            unit: 0,
        };
        assert_eq!(b.add(&[x, y], &[], 0, &[1, 5]), 0);
        assert_eq!(b.add(&[x, y], &[], 0, &[1, 7]), 0);
        assert_eq!(b.add(&[y, x], &[], 0, &[1, 0]), 1);
        assert_eq!(b.add(&[x, y], &[label], 0, &[1, 0]), 2);
        assert_eq!(b.add(&[x, y], &[], x, &[1, 0]), 3);
        assert_eq!(b.add(&[x], &[], 0, &[1, 0]), 4);
        assert_eq!(b.add(&[x, y], &[label], 0, &[1, 1]), 2);
        assert_eq!(&b.table.values[..4], &[2, 12, 1, 0]);
        assert_eq!(b.roots, [NO_ROOT, NO_ROOT, NO_ROOT, 0, NO_ROOT]);
    }
}
