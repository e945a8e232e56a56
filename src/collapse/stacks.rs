//! Interned frames, segments and stacks; sorting by text without building the text; writing.
//!
//! * A *frame* is one text (`main.f`, `0x4b00af`, `worker=A`), interned once.
//! * A *segment* is the frame list of one location (several frames when lines were inlined)
//!   or a single label frame; equal lists are interned once, so a million distinct stacks
//!   only name segments.
//! * A *stack* is a list of segment ids, stored as varints in a chunked byte arena (two or
//!   three bytes per level), with a 128-bit sum.
//!
//! Output order is bytewise order of the stack text (`frame;frame;...`), found from ranked
//! frame tokens without building any text ([`order`]).

mod order;

use crate::folded::FoldedWriter;
use std::io::{self, Write};

/// A fast, non-cryptographic hash step (the worst case of a bad input is a slower run, never a
/// wrong result).
#[inline]
fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// Hashes are kept as 32 bits: enough to tell entries apart before comparing them.
type Hash = u32;

/// The last mixing step: fold to [`Hash`] so that it depends on every input bit.
#[inline]
fn finish_hash(h: u64) -> Hash {
    let h = h ^ (h >> 29);
    (h ^ (h >> 32)) as Hash
}

fn hash_bytes(bytes: &[u8]) -> Hash {
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
    finish_hash(mix(h, u64::from_le_bytes(tail)))
}

fn hash_ids(ids: &[u32]) -> Hash {
    let mut h = ids.len() as u64;
    for &id in ids {
        h = mix(h, u64::from(id));
    }
    finish_hash(h)
}

/// True when `entries` fit in `slots` at a load of at most 3/4.
#[inline]
fn fits(entries: usize, slots: usize) -> bool {
    entries.saturating_mul(4) <= slots.saturating_mul(3)
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
        hash: Hash,
        hashes: &[Hash],
        mut eq: impl FnMut(usize) -> bool,
    ) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
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

    /// The first slot to probe for `hash`.
    #[inline]
    fn home(&self, hash: Hash) -> usize {
        (u64::from(hash).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// Makes room for one more entry, rehashing from `hashes`.
    #[inline]
    fn reserve_one(&mut self, hashes: &[Hash]) {
        if !fits(hashes.len() + 1, self.slots.len()) {
            self.grow(hashes);
        }
    }

    /// Sizes the table for `total` entries at once (rehashing from `hashes`).
    fn reserve_total(&mut self, total: usize, hashes: &[Hash]) {
        if !fits(total, self.slots.len()) {
            let mut size = 1024;
            while !fits(total, size) {
                size *= 2;
            }
            self.rebuild(size, hashes);
        }
    }

    #[cold]
    fn grow(&mut self, hashes: &[Hash]) {
        self.rebuild((self.slots.len() * 2).max(1024), hashes);
    }

    fn rebuild(&mut self, size: usize, hashes: &[Hash]) {
        self.shift = 64 - size.trailing_zeros();
        self.slots = Vec::new(); // the old table is freed before the new one is allocated
        self.slots = vec![0; size];
        let mask = size - 1;
        for (entry, &hash) in hashes.iter().enumerate() {
            let mut i = self.home(hash);
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
    hashes: Vec<Hash>,
    slots: Slots,
}

impl<T: Copy + Eq> Arena<T> {
    #[inline]
    fn get(&self, id: u32) -> &[T] {
        let (start, end) = self.range(id);
        &self.items[start..end]
    }

    /// Where item `id` is in `items`.
    #[inline]
    fn range(&self, id: u32) -> (usize, usize) {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (start, self.ends[i])
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Frees the hash index once nothing is interned any more.
    fn drop_index(&mut self) {
        self.hashes = Vec::new();
        self.slots = Slots::default();
    }

    /// Makes room for `more` entries of `items` items in all.
    fn reserve(&mut self, more: usize, items: usize) {
        self.items.reserve(items);
        self.ends.reserve(more);
        self.hashes.reserve(more);
        self.slots
            .reserve_total(self.hashes.len() + more, &self.hashes);
    }

    /// The id of `item`, adding it when new.
    fn intern(&mut self, item: &[T], hash: Hash) -> u32 {
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
    hashes: Vec<Hash>,
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

    /// Frees the hash index once no stack is added any more.
    fn drop_index(&mut self) {
        self.hashes = Vec::new();
        self.slots = Slots::default();
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
    /// Appends the frame ids of `text` to `frames`: one per `;`-separated piece, so that no
    /// frame text contains `;` (which the output order relies on) while the written text
    /// stays the same.
    pub fn push_frames(&mut self, text: &[u8], frames: &mut Vec<u32>) {
        for piece in text.split(|&b| b == b';') {
            frames.push(self.frames.intern(piece, hash_bytes(piece)));
        }
    }

    /// The id of a frame list (root first, never empty).
    pub fn segment(&mut self, frames: &[u32]) -> u32 {
        debug_assert!(!frames.is_empty());
        self.segments.intern(frames, hash_ids(frames))
    }

    /// Makes room for `segments` more segments of `frames` frames in all, with `bytes` bytes
    /// of frame text (upper bounds).
    pub fn reserve_frames(&mut self, segments: usize, frames: usize, bytes: usize) {
        self.frames.reserve(frames, bytes);
        self.segments.reserve(segments, frames);
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
        // Nothing is interned any more: the hash indexes make room for the sort.
        self.frames.drop_index();
        self.segments.drop_index();
        self.table.drop_index();
        let sorted = order::sorted(&self);
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
}

/// The text of every segment, each frame preceded by `;`, so that a segment is written with
/// one copy (the first `;` of a line is left out).
struct SegmentText {
    bytes: Vec<u8>,
    /// Start of each segment's text, and the end of the last.
    starts: Vec<usize>,
}

impl SegmentText {
    fn new(stacks: &Stacks) -> Self {
        let mut text = SegmentText {
            bytes: Vec::new(),
            starts: Vec::with_capacity(stacks.segments.len() + 1),
        };
        text.starts.push(0);
        for s in 0..stacks.segments.len() as u32 {
            for &f in stacks.segments.get(s) {
                text.bytes.push(b';');
                text.bytes.extend_from_slice(stacks.frames.get(f));
            }
            text.starts.push(text.bytes.len());
        }
        text
    }

    #[inline]
    fn get(&self, id: u32) -> &[u8] {
        let i = id as usize;
        &self.bytes[self.starts[i]..self.starts[i + 1]]
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
    /// A cursor over the lines, in output order.
    pub fn lines(&self) -> Lines<'_> {
        Lines {
            folded: self,
            next: 0,
            text: Vec::new(),
            sum: 0,
        }
    }

    /// The number of stacks whose sum is negative (delta profiles, subtractions).
    pub fn negative_count(&self) -> usize {
        let sums = &self.table.sums;
        self.order.iter().filter(|&&s| sums[s as usize] < 0).count()
    }

    /// Leaves out the stacks whose sum is negative.
    pub fn drop_negative(&mut self) {
        let sums = &self.table.sums;
        self.order.retain(|&s| sums[s as usize] >= 0);
    }

    pub fn write_to<W: Write>(&self, out: W) -> io::Result<W> {
        let mut writer = FoldedWriter::new(out);
        for &stack in &self.order {
            let sum = self.table.sums[stack as usize];
            let key = self.table.key(stack);
            let mut pos = 0;
            while pos < key.len() {
                writer.separated_frames(self.text.get(read_varint(key, &mut pos)));
            }
            writer.end_line(sum)?;
        }
        writer.finish()
    }
}

/// The lines of a [`Folded`], one at a time: [`Lines::advance`] moves to the next, whose stack
/// text (frames joined with `;`) and sum [`Lines::stack`] and [`Lines::sum`] give.
pub struct Lines<'a> {
    folded: &'a Folded,
    next: usize,
    text: Vec<u8>,
    sum: i128,
}

impl Lines<'_> {
    /// Moves to the next line; false after the last.
    pub fn advance(&mut self) -> bool {
        let Some(&stack) = self.folded.order.get(self.next) else {
            self.text.clear();
            return false;
        };
        self.next += 1;
        self.text.clear();
        let key = self.folded.table.key(stack);
        let mut pos = 0;
        while pos < key.len() {
            let segment = self.folded.text.get(read_varint(key, &mut pos));
            self.text.extend_from_slice(segment);
        }
        self.sum = self.folded.table.sums[stack as usize];
        true
    }

    /// The current line's stack text.
    pub fn stack(&self) -> &[u8] {
        // Every frame of a segment's text is preceded by `;`.
        self.text.get(1..).unwrap_or_default()
    }

    /// The current line's sum.
    pub fn sum(&self) -> i128 {
        self.sum
    }
}
