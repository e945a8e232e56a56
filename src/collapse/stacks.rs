//! Interned frames, segments and stacks; sorting by text without building the text; writing.
//!
//! * A *frame* is one text (`main.f`, `0x4b00af`, `worker=A`), interned once.
//! * A *segment* is the frame list of one location (several frames when lines were inlined)
//!   or a single label frame; equal lists are interned once, so a million distinct stacks
//!   only name segments.
//! * A *stack* is a list of segment ids, stored as varints in a chunked byte arena (two or
//!   three bytes per level), with a 128-bit sum.
//!
//! Output order is bytewise order of the stack text (`frame;frame;...`). Frames are ranked by
//! their text once; two stacks compare by the ranks of their first differing frames, except
//! when one of the two frame texts is a prefix of the other (then `;` and the following
//! frames decide, and the texts are compared).

use crate::folded::FoldedWriter;
use std::cmp::Ordering;
use std::io::{self, Write};

/// A fast, non-cryptographic hash step (the worst case of a bad input is a slower run, never a
/// wrong result).
#[inline]
fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = mix(
            h,
            u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        );
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    // A final avalanche so that the high bits (the slot index) depend on every input bit.
    let h = mix(h, u64::from_le_bytes(tail));
    h ^ (h >> 29)
}

fn hash_ids(ids: &[u32]) -> u64 {
    let mut h = ids.len() as u64;
    for &id in ids {
        h = mix(h, u64::from(id));
    }
    h ^ (h >> 29)
}

/// Open addressing over entry indices; the owner keeps the entries and their hashes.
#[derive(Default)]
struct Slots {
    /// Entry index + 1; 0 = empty.
    slots: Vec<u32>,
    shift: u32,
}

impl Slots {
    /// The entry with `hash` for which `eq` holds, or the empty slot where it belongs.
    #[inline]
    fn find(
        &self,
        hash: u64,
        hashes: &[u64],
        mut eq: impl FnMut(usize) -> bool,
    ) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize;
        loop {
            match self.slots[i] {
                0 => return Err(i),
                e => {
                    let entry = e as usize - 1;
                    if hashes[entry] == hash && eq(entry) {
                        return Ok(entry);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Makes room for one more entry (load ≤ 1/2), rehashing from `hashes`.
    #[inline]
    fn reserve_one(&mut self, hashes: &[u64]) {
        if (hashes.len() + 1) * 2 > self.slots.len() {
            self.grow(hashes);
        }
    }

    /// Sizes the table for `total` entries at once (rehashing from `hashes`).
    fn reserve_total(&mut self, total: usize, hashes: &[u64]) {
        if total * 2 > self.slots.len() {
            self.rebuild((total * 2).next_power_of_two().max(1024), hashes);
        }
    }

    #[cold]
    fn grow(&mut self, hashes: &[u64]) {
        self.rebuild((self.slots.len() * 2).max(1024), hashes);
    }

    fn rebuild(&mut self, size: usize, hashes: &[u64]) {
        self.shift = 64 - size.trailing_zeros();
        self.slots = vec![0; size];
        let mask = size - 1;
        for (entry, &hash) in hashes.iter().enumerate() {
            let mut i = (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = entry as u32 + 1;
        }
    }
}

/// Variable-length items stored back to back, addressed by index.
#[derive(Default)]
struct Arena<T> {
    items: Vec<T>,
    ends: Vec<usize>,
    hashes: Vec<u64>,
    slots: Slots,
}

impl<T: Copy + Eq> Arena<T> {
    #[inline]
    fn get(&self, id: u32) -> &[T] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.items[start..self.ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The id of `item`, adding it when new.
    fn intern(&mut self, item: &[T], hash: u64) -> u32 {
        self.slots.reserve_one(&self.hashes);
        match self
            .slots
            .find(hash, &self.hashes, |e| self.get(e as u32) == item)
        {
            Ok(entry) => entry as u32,
            Err(slot) => {
                let id = self.ends.len() as u32;
                self.items.extend_from_slice(item);
                self.ends.push(self.items.len());
                self.hashes.push(hash);
                self.slots.slots[slot] = id + 1;
                id
            }
        }
    }
}

/// Stack keys are stored in chunks, so that growing never copies (or doubles) a huge array.
const CHUNK: usize = 1 << 24;

/// Distinct stacks (varint lists of segment ids) and their sums.
#[derive(Default)]
struct StackTable {
    chunks: Vec<Vec<u8>>,
    /// Start of each key: chunk index * CHUNK + offset.
    starts: Vec<u64>,
    lens: Vec<u32>,
    sums: Vec<i128>,
    hashes: Vec<u64>,
    slots: Slots,
}

impl StackTable {
    #[inline]
    fn key(&self, stack: u32) -> &[u8] {
        let start = self.starts[stack as usize] as usize;
        let offset = start % CHUNK;
        &self.chunks[start / CHUNK][offset..offset + self.lens[stack as usize] as usize]
    }

    fn len(&self) -> usize {
        self.sums.len()
    }

    #[inline]
    fn add(&mut self, key: &[u8], value: i128) {
        self.slots.reserve_one(&self.hashes);
        let hash = hash_bytes(key);
        match self
            .slots
            .find(hash, &self.hashes, |e| self.key(e as u32) == key)
        {
            Ok(entry) => self.sums[entry] += value,
            Err(slot) => {
                let start = self.store(key);
                self.slots.slots[slot] = self.sums.len() as u32 + 1;
                self.starts.push(start);
                self.lens.push(key.len() as u32);
                self.sums.push(value);
                self.hashes.push(hash);
            }
        }
    }

    fn store(&mut self, key: &[u8]) -> u64 {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= key.len());
        if !fits {
            self.chunks.push(Vec::with_capacity(CHUNK.max(key.len())));
        }
        let index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[index];
        let start = (index * CHUNK + chunk.len()) as u64;
        chunk.extend_from_slice(key);
        start
    }
}

/// Appends `id` as a varint.
#[inline]
pub(crate) fn push_varint(key: &mut Vec<u8>, mut id: u32) {
    while id >= 0x80 {
        key.push((id as u8) | 0x80);
        id >>= 7;
    }
    key.push(id as u8);
}

/// Reads the varint at `key[*pos..]`.
#[inline]
fn read_varint(key: &[u8], pos: &mut usize) -> u32 {
    let mut id = 0u32;
    let mut shift = 0;
    loop {
        let b = key[*pos];
        *pos += 1;
        id |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            return id;
        }
        shift += 7;
    }
}

/// Frames, segments and summed stacks.
#[derive(Default)]
pub(crate) struct Stacks {
    frames: Arena<u8>,
    segments: Arena<u32>,
    table: StackTable,
}

impl Stacks {
    /// The id of a frame text.
    pub fn frame(&mut self, text: &[u8]) -> u32 {
        self.frames.intern(text, hash_bytes(text))
    }

    /// The id of a frame list (root first).
    pub fn segment(&mut self, frames: &[u32]) -> u32 {
        self.segments.intern(frames, hash_ids(frames))
    }

    /// Makes room for `more` stacks (an upper bound: the number of samples to come), so that
    /// the tables are allocated once instead of doubling.
    pub fn reserve(&mut self, more: usize) {
        let t = &mut self.table;
        t.starts.reserve(more);
        t.lens.reserve(more);
        t.sums.reserve(more);
        t.hashes.reserve(more);
        t.slots.reserve_total(t.hashes.len() + more, &t.hashes);
    }

    /// Adds `value` to the stack whose key (varint segment ids, root first) is `key`.
    #[inline]
    pub fn add(&mut self, key: &[u8], value: i128) {
        self.table.add(key, value);
    }

    /// Sorts the stacks by text, merges equal texts and leaves out zero sums.
    pub fn finish(mut self) -> Folded {
        let sorted = Sorter::new(&self).sorted();
        let sums = &mut self.table.sums;
        let mut order: Vec<u32> = Vec::with_capacity(sorted.len());
        for (stack, same_text) in sorted {
            match order.last() {
                Some(&first) if same_text => sums[first as usize] += sums[stack as usize],
                _ => order.push(stack),
            }
        }
        order.retain(|&stack| sums[stack as usize] != 0);
        let text = SegmentText::new(&self);
        let Stacks { table, .. } = self;
        Folded { text, table, order }
    }

    /// The frames of a stack, root first.
    fn frames_of(&self, stack: u32) -> FrameIter<'_> {
        FrameIter {
            stacks: self,
            key: self.table.key(stack),
            pos: 0,
            segment: &[],
        }
    }
}

/// Iterates over the frames of a stack key.
struct FrameIter<'a> {
    stacks: &'a Stacks,
    key: &'a [u8],
    pos: usize,
    segment: &'a [u32],
}

impl FrameIter<'_> {
    /// True when no frame follows.
    fn is_done(&self) -> bool {
        self.segment.is_empty() && self.pos >= self.key.len()
    }
}

impl Iterator for FrameIter<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        while self.segment.is_empty() {
            if self.pos >= self.key.len() {
                return None;
            }
            let id = read_varint(self.key, &mut self.pos);
            self.segment = self.stacks.segments.get(id);
        }
        let (first, rest) = self.segment.split_first()?;
        self.segment = rest;
        Some(*first)
    }
}

/// Frames compared in the sort prefix of each stack.
const PREFIX: usize = 7;

/// One stack to sort: the ranks (+1, 0 = end) of its first frames, and its id.
#[derive(Clone, Copy)]
struct Entry {
    ranks: [u32; PREFIX],
    stack: u32,
}

/// Sorts stacks by their text.
struct Sorter<'a> {
    stacks: &'a Stacks,
    /// Rank of each frame id in bytewise order of the texts.
    rank: Vec<u32>,
    /// For each rank: the smallest rank whose text is a prefix of this one's. Ranks with
    /// different groups compare like their texts whatever follows them.
    group: Vec<u32>,
}

impl<'a> Sorter<'a> {
    fn new(stacks: &'a Stacks) -> Self {
        let frames = &stacks.frames;
        let mut by_text: Vec<u32> = (0..frames.len() as u32).collect();
        by_text.sort_unstable_by(|&a, &b| frames.get(a).cmp(frames.get(b)));
        let mut rank = vec![0; frames.len()];
        for (r, &id) in by_text.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        // Texts sharing a prefix are contiguous in sorted order: the group of a rank is the
        // outermost open prefix.
        let mut group = vec![0; frames.len()];
        let mut open: Vec<u32> = Vec::new();
        for (r, &id) in by_text.iter().enumerate() {
            let text = frames.get(id);
            while let Some(&top) = open.last() {
                if text.starts_with(frames.get(by_text[top as usize])) {
                    break;
                }
                open.pop();
            }
            group[r] = open.first().copied().unwrap_or(r as u32);
            open.push(r as u32);
        }
        Sorter {
            stacks,
            rank,
            group,
        }
    }

    fn entry(&self, stack: u32) -> Entry {
        let mut ranks = [0; PREFIX];
        for (slot, frame) in ranks.iter_mut().zip(self.stacks.frames_of(stack)) {
            *slot = self.rank[frame as usize] + 1;
        }
        Entry { ranks, stack }
    }

    /// Stack ids in output order with their sums; equal texts merged, zero sums left out.
    /// Stack ids in output order; a stack whose text equals the previous one's is marked
    /// (`true`) to be merged into it.
    fn sorted(&self) -> Vec<(u32, bool)> {
        let mut entries: Vec<Entry> = (0..self.stacks.table.len() as u32)
            .map(|s| self.entry(s))
            .collect();
        entries.sort_unstable_by(|a, b| self.compare_entries(a, b));
        (0..entries.len())
            .map(|i| {
                let same =
                    i > 0 && self.compare_entries(&entries[i - 1], &entries[i]) == Ordering::Equal;
                (entries[i].stack, same)
            })
            .collect()
    }

    #[inline]
    fn compare_entries(&self, a: &Entry, b: &Entry) -> Ordering {
        for (&x, &y) in a.ranks.iter().zip(&b.ranks) {
            if x == y {
                if x == 0 {
                    return Ordering::Equal;
                }
                continue;
            }
            if x == 0 || y == 0 || self.group[x as usize - 1] != self.group[y as usize - 1] {
                return x.cmp(&y);
            }
            break;
        }
        self.compare_stacks(a.stack, b.stack)
    }

    /// Compares two stacks: equal leading segments are skipped bytewise (varints are
    /// canonical), then frame by frame.
    fn compare_stacks(&self, a: u32, b: u32) -> Ordering {
        let (mut fa, mut fb) = (self.stacks.frames_of(a), self.stacks.frames_of(b));
        let common = fa
            .key
            .iter()
            .zip(fb.key)
            .take_while(|(x, y)| x == y)
            .count();
        let mut start = common;
        while start > 0 && fa.key[start - 1] & 0x80 != 0 {
            start -= 1;
        }
        fa.pos = start;
        fb.pos = start;
        loop {
            match (fa.next(), fb.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(x), Some(y)) if x == y => {}
                (Some(x), Some(y)) => {
                    let (rx, ry) = (self.rank[x as usize], self.rank[y as usize]);
                    if self.group[rx as usize] != self.group[ry as usize] {
                        return rx.cmp(&ry);
                    }
                    if let Some(order) = self.compare_related(x, &fa, y, &fb) {
                        return order;
                    }
                    let rest = |first: u32, iter: FrameIter<'_>| -> Vec<u8> {
                        let frames = &self.stacks.frames;
                        let mut text = frames.get(first).to_vec();
                        for f in iter {
                            text.push(b';');
                            text.extend_from_slice(frames.get(f));
                        }
                        text
                    };
                    return rest(x, fa).cmp(&rest(y, fb));
                }
            }
        }
    }
}

impl Sorter<'_> {
    /// Two different frames whose texts may be prefixes of one another, each followed by the
    /// rest of its stack: the order, unless a `;` inside a frame text makes it depend on the
    /// following frames (`None`).
    fn compare_related(
        &self,
        x: u32,
        fa: &FrameIter<'_>,
        y: u32,
        fb: &FrameIter<'_>,
    ) -> Option<Ordering> {
        let frames = &self.stacks.frames;
        let (tx, ty) = (frames.get(x), frames.get(y));
        let n = tx.len().min(ty.len());
        let order = tx[..n].cmp(&ty[..n]);
        if order != Ordering::Equal {
            return Some(order);
        }
        // One text is a proper prefix of the other: what follows it (`;` or the end) decides.
        let (shorter_first, longer, shorter_done) = if tx.len() < ty.len() {
            (true, ty, fa.is_done())
        } else {
            (false, tx, fb.is_done())
        };
        let shorter_is_less = if shorter_done {
            true
        } else {
            match b';'.cmp(&longer[n]) {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => return None,
            }
        };
        Some(if shorter_is_less == shorter_first {
            Ordering::Less
        } else {
            Ordering::Greater
        })
    }
}

/// The text of every segment, frames joined with `;`.
struct SegmentText {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl SegmentText {
    fn new(stacks: &Stacks) -> Self {
        let mut text = SegmentText {
            bytes: Vec::new(),
            ends: Vec::with_capacity(stacks.segments.len()),
        };
        for s in 0..stacks.segments.len() as u32 {
            for (i, &f) in stacks.segments.get(s).iter().enumerate() {
                if i > 0 {
                    text.bytes.push(b';');
                }
                text.bytes.extend_from_slice(stacks.frames.get(f));
            }
            text.ends.push(text.bytes.len());
        }
        text
    }

    #[inline]
    fn get(&self, id: u32) -> &[u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

/// Summed stacks in output order.
pub struct Folded {
    text: SegmentText,
    table: StackTable,
    order: Vec<u32>,
}

impl Folded {
    /// True when there is no line to write.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The number of lines.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Writes the folded lines (`STACK VALUE` + LF) and returns the writer.
    pub fn write_to<W: Write>(&self, out: W) -> io::Result<W> {
        let mut writer = FoldedWriter::new(out);
        for &stack in &self.order {
            let sum = self.table.sums[stack as usize];
            let key = self.table.key(stack);
            let mut pos = 0;
            while pos < key.len() {
                writer.frame(self.text.get(read_varint(key, &mut pos)));
            }
            writer.end_line(sum)?;
        }
        writer.finish()
    }
}
