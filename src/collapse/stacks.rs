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
use crate::hash::hash_bytes;
use crate::intern::{Interner, Slots};
use crate::varint;
use std::io::{self, Write};

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
        self.slots.reserve_one();
        let hash = hash_bytes(key);
        match self.slots.find(hash, |e| self.key(e as u32) == key) {
            Ok(entry) => self.sums[entry] += value,
            Err(slot) => {
                let start = self.store(key);
                self.slots.fill(slot, hash, self.sums.len());
                self.starts.push(start);
                self.lens.push(key.len() as u32);
                self.sums.push(value);
            }
        }
    }

    /// Frees the hash index once no stack is added any more.
    fn drop_index(&mut self) {
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

/// Appends a segment id to a stack key.
#[inline]
pub(crate) fn push_id(key: &mut Vec<u8>, id: u32) {
    varint::push(key, u64::from(id));
}

/// The segment id at `key[pos..]` and the position after it; `None` at the end of the key.
#[inline]
fn next_id(key: &[u8], pos: usize) -> Option<(u32, usize)> {
    varint::read(key, pos, key.len()).map(|(id, next)| (id as u32, next))
}

/// Frames, segments and summed stacks.
#[derive(Default)]
pub(crate) struct Stacks {
    frames: Interner<u8>,
    segments: Interner<u32>,
    table: StackTable,
}

impl Stacks {
    /// Appends the frame ids of `text` to `frames`: one per `;`-separated piece, so that no
    /// frame text contains `;` (which the output order relies on) while the written text
    /// stays the same.
    pub fn push_frames(&mut self, text: &[u8], frames: &mut Vec<u32>) {
        if text.is_empty() {
            frames.push(self.frames.intern(b""));
        } else {
            self.frames.intern_split(text, frames);
        }
    }

    /// The id of a frame list (root first, never empty).
    pub fn segment(&mut self, frames: &[u32]) -> u32 {
        debug_assert!(!frames.is_empty());
        self.segments.intern(frames)
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
        t.slots.reserve(more);
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
            while let Some((segment, next)) = next_id(key, pos) {
                writer.separated_frames(self.text.get(segment));
                pos = next;
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
        while let Some((segment, next)) = next_id(key, pos) {
            self.text.extend_from_slice(self.folded.text.get(segment));
            pos = next;
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
