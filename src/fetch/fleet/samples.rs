//! The merged samples: each sample's key (its merged location ids and labels, varint-encoded)
//! interned in the crate's [`Interner`] (one arena, an open-addressing index), and its values
//! in one flat array. Samples with equal keys are summed; adding one allocates nothing of its
//! own.

use prost::encoding::decode_varint;

use crate::intern::Interner;
use crate::profile::pb;
use crate::varint;

/// A label of a merged sample, in merged string ids: a string label has `str != 0`, a numeric
/// one `str == 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct MergedLabel {
    pub key: i64,
    pub str: i64,
    pub num: i64,
    pub unit: i64,
}

/// Merged samples.
#[derive(Default)]
pub(super) struct SampleTable {
    keys: Interner<u8>,
    values: Vec<i64>,
    width: usize,
}

impl std::fmt::Debug for SampleTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SampleTable({} samples)", self.len())
    }
}

impl SampleTable {
    /// An empty table for samples of `width` values.
    pub fn new(width: usize) -> Self {
        SampleTable {
            width,
            ..Default::default()
        }
    }

    /// The number of distinct samples.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Removes the samples from `len` on (a failed part whose samples were all new).
    pub fn truncate(&mut self, len: usize) {
        self.keys.truncate(len);
        self.values.truncate(len * self.width);
    }

    /// Adds a sample whose key was built by [`encode_key`]: summed into an equal one, or new.
    pub fn add(&mut self, key: &[u8], values: &[i64]) {
        let id = self.keys.intern(key) as usize;
        if id * self.width == self.values.len() {
            self.values.extend_from_slice(values);
        } else {
            let sums = &mut self.values[id * self.width..][..self.width];
            for (sum, v) in sums.iter_mut().zip(values) {
                *sum = sum.wrapping_add(*v);
            }
        }
    }

    /// Adds every staged sample, in order.
    pub fn add_all(&mut self, staged: &Staged) {
        let mut start = 0;
        for (i, &end) in staged.key_end.iter().enumerate() {
            let values = &staged.values[i * self.width..][..self.width];
            self.add(&staged.keys[start..end], values);
            start = end;
        }
    }

    /// Sample `i` as a prost message (its vectors reused); `false` when all its values are 0
    /// (such samples are left out, as pprof's merge does).
    pub fn fill(&self, i: usize, sample: &mut pb::Sample) -> bool {
        let values = &self.values[i * self.width..][..self.width];
        if values.iter().all(|&v| v == 0) {
            return false;
        }
        sample.value.clear();
        sample.value.extend_from_slice(values);
        sample.location_id.clear();
        sample.label.clear();
        let mut key = self.keys.get(i as u32);
        let mut next = || decode_varint(&mut key).unwrap_or(0);
        let locations = next();
        for _ in 0..locations {
            sample.location_id.push(next());
        }
        while !key.is_empty() {
            let mut next = || decode_varint(&mut key).unwrap_or(0) as i64;
            sample.label.push(pb::Label {
                key: next(),
                str: next(),
                num: next(),
                num_unit: next(),
            });
        }
        true
    }
}

/// The samples of one part, held until all of them could be read.
#[derive(Debug, Default)]
pub(super) struct Staged {
    keys: Vec<u8>,
    key_end: Vec<usize>,
    values: Vec<i64>,
}

impl Staged {
    /// Empties the stage (keeping its memory for the next part).
    pub fn clear(&mut self) {
        self.keys.clear();
        self.key_end.clear();
        self.values.clear();
    }

    /// Stages one sample.
    pub fn push(&mut self, key: &[u8], values: &[i64]) {
        self.keys.extend_from_slice(key);
        self.key_end.push(self.keys.len());
        self.values.extend_from_slice(values);
    }
}

/// Encodes a sample's key into `out`: its location ids, then its labels. The labels are put in
/// a canonical order first (string labels before numeric ones, by key, values of one key in
/// their order), so that samples pprof considers equal have equal keys.
pub(super) fn encode_key(locations: &[u64], labels: &mut [MergedLabel], out: &mut Vec<u8>) {
    out.clear();
    push_varint(locations.len() as u64, out);
    for &id in locations {
        push_varint(id, out);
    }
    labels.sort_by_key(|l| (l.str == 0, l.key));
    for l in labels.iter() {
        for v in [l.key, l.str, l.num, l.unit] {
            push_varint(v as u64, out);
        }
    }
}

/// Appends `v` as a varint (with the crate's codec: prost's encoder goes through `BufMut`,
/// which costs more per byte than these keys are worth).
#[inline]
pub(super) fn push_varint(v: u64, out: &mut Vec<u8>) {
    varint::push(out, v);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(key: i64, str: i64) -> MergedLabel {
        MergedLabel {
            key,
            str,
            num: 0,
            unit: 0,
        }
    }

    #[test]
    fn equal_keys_are_summed_and_label_order_does_not_matter() {
        let mut table = SampleTable::new(2);
        let mut key = Vec::new();
        encode_key(&[3, 2, 1], &mut [label(5, 6), label(7, 8)], &mut key);
        table.add(&key, &[1, 10]);
        encode_key(&[3, 2, 1], &mut [label(7, 8), label(5, 6)], &mut key);
        table.add(&key, &[2, 20]);
        encode_key(&[3, 2], &mut [label(7, 8), label(5, 6)], &mut key);
        table.add(&key, &[-1, 0]);
        assert_eq!(table.len(), 2);
        let mut sample = pb::Sample::default();
        assert!(table.fill(0, &mut sample));
        assert_eq!(sample.location_id, [3, 2, 1]);
        assert_eq!(sample.value, [3, 30]);
        let keys: Vec<i64> = sample.label.iter().map(|l| l.key).collect();
        assert_eq!(keys, [5, 7]);
        encode_key(&[3, 2], &mut [label(5, 6), label(7, 8)], &mut key);
        table.add(&key, &[1, 0]);
        assert!(
            !table.fill(1, &mut sample),
            "a sample summing to zero is left out"
        );
    }
}
