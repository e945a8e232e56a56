//! Merging stacks into frames: summing and ordering (spec 3.2), flame charts (3.3) and the
//! timeline merge with its recording rule (3.4).
//!
//! The default mode streams lines into a [`StackTrie`] (one node per distinct frame-list
//! prefix, counts summed in place), so memory follows the number of distinct prefixes, not the
//! number of lines. The trie is then walked in frame-list order and fed to a [`Timeline`].

use super::number::reread_g15;
use crate::folded::{Count, Counts};
use crate::hash::FastMap;

/// Marks "no node" in the child and sibling links.
const NIL: u32 = u32::MAX;
/// Set in [`Node::first_child`] when the node's children are also indexed by hash.
const WIDE: u32 = 1 << 31;
/// Sibling lists longer than this get a hash index.
const WIDE_AFTER: u32 = 8;

#[derive(Clone, Copy)]
struct Node {
    parent: u32,
    name: u32,
    /// First child (with the [`WIDE`] flag), or [`NIL`].
    first_child: u32,
    next_sibling: u32,
    /// Sum of the one-count stacks ending here: the integer, or the double's bits, as the
    /// [`Kind`] in the top bits of `parent` says.
    count: u64,
}

/// The bits of [`Node::parent`] that hold the parent's id (the top two hold the [`Kind`] of
/// the count, so a node stays 24 bytes).
const PARENT: u32 = (1 << 30) - 1;
/// The top two bits of [`Node::parent`].
const KIND_SHIFT: u32 = 30;

/// What [`Node::count`] holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No one-count stack ends at the node.
    Empty,
    /// An integer sum.
    Int,
    /// A double sum (its bits).
    Real,
}

/// A node's sum as a [`Count`], if it has one.
#[inline]
fn load(kind: Kind, bits: u64) -> Option<Count> {
    match kind {
        Kind::Empty => None,
        Kind::Int => Some(Count::Int(bits)),
        Kind::Real => Some(Count::Real(f64::from_bits(bits))),
    }
}

/// The kind and bits that store `count`.
#[inline]
fn store(count: Count) -> (Kind, u64) {
    match count {
        Count::Int(n) => (Kind::Int, n),
        Count::Real(x) => (Kind::Real, x.to_bits()),
    }
}

impl Node {
    /// The parent's id (the root's is [`PARENT`]).
    #[inline]
    fn parent(&self) -> u32 {
        self.parent & PARENT
    }

    #[inline]
    fn kind(&self) -> Kind {
        match self.parent >> KIND_SHIFT {
            0 => Kind::Empty,
            1 => Kind::Int,
            _ => Kind::Real,
        }
    }

    #[inline]
    fn sum(&self) -> Option<Count> {
        load(self.kind(), self.count)
    }

    #[inline]
    fn set_sum(&mut self, sum: Count) {
        let (kind, bits) = store(sum);
        self.count = bits;
        self.parent = self.parent() | ((kind as u32) << KIND_SHIFT);
    }

    #[inline]
    fn first(&self) -> u32 {
        if self.first_child == NIL {
            NIL
        } else {
            self.first_child & !WIDE
        }
    }
}

/// Distinct stacks as a prefix tree of interned frame ids, with their counts summed.
///
/// Node 0 is the implied root frame `""`. Children are kept in sibling lists, so the long
/// unshared tails of stacks are created and later walked in memory order; a node with many
/// children also indexes them in a hash map, so wide nodes stay fast.
pub struct StackTrie {
    nodes: Vec<Node>,
    wide: FastMap<(u32, u32), u32>,
    /// Sums (C1, C2) of the two-count stacks, by node.
    two: FastMap<u32, (Count, Count)>,
    /// Sum of the widths in input order.
    input_total: Count,
}

impl Default for StackTrie {
    fn default() -> Self {
        StackTrie::new()
    }
}

impl StackTrie {
    /// A trie holding only the root (name id 0).
    pub fn new() -> Self {
        StackTrie {
            nodes: vec![Node {
                parent: PARENT,
                name: 0,
                first_child: NIL,
                next_sibling: NIL,
                count: 0,
            }],
            wide: FastMap::default(),
            two: FastMap::default(),
            input_total: Count::ZERO,
        }
    }

    /// The root node.
    pub const ROOT: u32 = 0;

    /// The child of `parent` named `name`, created when new.
    #[inline]
    pub fn child(&mut self, parent: u32, name: u32) -> u32 {
        let head = self.nodes[parent as usize].first_child;
        if head != NIL && head & WIDE != 0 {
            if let Some(&id) = self.wide.get(&(parent, name)) {
                return id;
            }
            let id = self.push_child(parent, name);
            self.wide.insert((parent, name), id);
            return id;
        }
        let mut steps = 0;
        let mut at = head;
        while at != NIL {
            let node = &self.nodes[at as usize];
            if node.name == name {
                return at;
            }
            at = node.next_sibling;
            steps += 1;
        }
        let id = self.push_child(parent, name);
        if steps >= WIDE_AFTER {
            self.index_children(parent);
        }
        id
    }

    fn push_child(&mut self, parent: u32, name: u32) -> u32 {
        // 2^30 − 1 nodes would take 24 GiB, more than any input this reads fits in
        assert!(self.nodes.len() < PARENT as usize, "stack trie full");
        let id = self.nodes.len() as u32;
        let parent_node = &mut self.nodes[parent as usize];
        let flags = if parent_node.first_child == NIL {
            0
        } else {
            parent_node.first_child & WIDE
        };
        let next = parent_node.first();
        parent_node.first_child = id | flags;
        self.nodes.push(Node {
            parent,
            name,
            first_child: NIL,
            next_sibling: next,
            count: 0,
        });
        id
    }

    fn index_children(&mut self, parent: u32) {
        let mut at = self.nodes[parent as usize].first();
        while at != NIL {
            let node = self.nodes[at as usize];
            self.wide.insert((parent, node.name), at);
            at = node.next_sibling;
        }
        self.nodes[parent as usize].first_child |= WIDE;
    }

    /// Adds the counts of one stack ending at `node`.
    #[inline]
    pub fn add(&mut self, node: u32, counts: Counts) {
        self.input_total = self.input_total.plus(counts.width());
        match counts {
            Counts::One(c) => {
                let slot = &mut self.nodes[node as usize];
                match (slot.kind(), c) {
                    // the common case: one more integer, no overflow, kind unchanged
                    (Kind::Int, Count::Int(n)) if slot.count.checked_add(n).is_some() => {
                        slot.count += n;
                    }
                    _ => {
                        let sum = match slot.sum() {
                            Some(sum) => sum.plus(c),
                            None => c,
                        };
                        slot.set_sum(sum);
                    }
                }
            }
            Counts::Two(c1, c2) => {
                let sums = self.two.entry(node).or_insert((Count::ZERO, Count::ZERO));
                *sums = (sums.0.plus(c1), sums.1.plus(c2));
            }
        }
    }

    /// The total T when summing in input order gives exactly what summing in walk order
    /// gives (integer counts whose sum fits in 64 bits), else `None`.
    pub fn exact_total(&self) -> Option<Count> {
        matches!(self.input_total, Count::Int(_)).then_some(self.input_total)
    }

    /// The largest |C2 − C1| over the summed two-count stacks (0 when there are none).
    pub fn max_delta(&self) -> f64 {
        self.two
            .values()
            .fold(0.0, |max: f64, (c1, c2)| max.max(c2.minus(*c1).abs()))
    }

    /// Freezes the trie for walking: every sibling list sorted by `ranks` (name byte order).
    pub fn into_walk(self, ranks: &[u32]) -> TrieWalk {
        let StackTrie { mut nodes, two, .. } = self;
        let mut siblings: Vec<u32> = Vec::new();
        for parent in 0..nodes.len() {
            let mut at = nodes[parent].first();
            nodes[parent].first_child = at; // drops the WIDE flag: walking needs no index
            if at == NIL || nodes[at as usize].next_sibling == NIL {
                continue;
            }
            siblings.clear();
            while at != NIL {
                siblings.push(at);
                at = nodes[at as usize].next_sibling;
            }
            siblings.sort_unstable_by_key(|&c| ranks[nodes[c as usize].name as usize]);
            nodes[parent].first_child = siblings[0];
            for pair in siblings.windows(2) {
                nodes[pair[0] as usize].next_sibling = pair[1];
            }
            if let Some(&last) = siblings.last() {
                nodes[last as usize].next_sibling = NIL;
            }
        }
        TrieWalk { nodes, two }
    }
}

/// A bounded batch of stacks as interned ids, filled by the reading side.
pub struct Batch {
    ids: Vec<u32>,
    stacks: Vec<(u32, u32, Counts)>,
}

impl Default for Batch {
    fn default() -> Self {
        Batch {
            ids: Vec::with_capacity(Self::MAX_IDS),
            stacks: Vec::with_capacity(Self::MAX_STACKS),
        }
    }
}

impl Batch {
    const MAX_STACKS: usize = 32 * 1024;
    const MAX_IDS: usize = 1 << 20;

    /// Adds one stack, whose frame ids (without the root) `fill` appends to the vector it is
    /// given. Returns true when the batch is full.
    #[inline]
    pub fn push(&mut self, counts: Counts, fill: impl FnOnce(&mut Vec<u32>)) -> bool {
        let start = self.ids.len();
        fill(&mut self.ids);
        let len = self.ids.len() - start;
        self.stacks.push((start as u32, len as u32, counts));
        self.stacks.len() >= Self::MAX_STACKS || self.ids.len() >= Self::MAX_IDS
    }

    /// True when the batch holds no stack.
    pub fn is_empty(&self) -> bool {
        self.stacks.is_empty()
    }

    fn frames(&self, i: u32) -> &[u32] {
        let (start, len, _) = self.stacks[i as usize];
        &self.ids[start as usize..(start + len) as usize]
    }

    fn clear(&mut self) {
        self.ids.clear();
        self.stacks.clear();
    }
}

/// Inserts [`Batch`]es into a [`StackTrie`].
///
/// Each batch is sorted by id sequence (stable, so identical stacks still sum in input
/// order), then inserted reusing the path shared with the previous stack. Neighbours in
/// sorted order share long prefixes, so most frames need no lookup at all and the lookups left
/// touch nodes that are still in cache.
#[derive(Default)]
pub struct BatchInserter {
    order: Vec<(u128, u32)>,
    previous: Vec<u32>,
    path: Vec<u32>,
}

impl BatchInserter {
    /// Inserts every stack of `batch` and empties it.
    pub fn insert(&mut self, trie: &mut StackTrie, batch: &mut Batch) {
        // Sort key: the first four ids (+1, 0 = absent) order like the slices do; ties fall
        // back to the rest of the slices, then the input index (so the unstable sort is
        // stable).
        let key = |stack: &[u32]| {
            let id = |k: usize| stack.get(k).map_or(0, |&id| u128::from(id) + 1);
            (id(0) << 96) | (id(1) << 64) | (id(2) << 32) | id(3)
        };
        let view = &*batch;
        self.order.clear();
        self.order
            .extend((0..view.stacks.len() as u32).map(|i| (key(view.frames(i)), i)));
        self.order.sort_unstable_by(|&(ka, a), &(kb, b)| {
            ka.cmp(&kb)
                .then_with(|| {
                    let (fa, fb) = (view.frames(a), view.frames(b));
                    fa[fa.len().min(4)..].cmp(&fb[fb.len().min(4)..])
                })
                .then(a.cmp(&b))
        });
        for &(_, i) in &self.order {
            let stack = view.frames(i);
            let common = self
                .previous
                .iter()
                .zip(stack)
                .take_while(|(a, b)| a == b)
                .count();
            self.path.truncate(common);
            self.previous.truncate(common);
            let mut node = self.path.last().copied().unwrap_or(StackTrie::ROOT);
            for &name in &stack[common..] {
                node = trie.child(node, name);
                self.path.push(node);
            }
            self.previous.extend_from_slice(&stack[common..]);
            trie.add(node, view.stacks[i as usize].2);
        }
        batch.clear();
    }
}

/// A frozen [`StackTrie`] that yields its stacks in frame-list order.
pub struct TrieWalk {
    nodes: Vec<Node>,
    two: FastMap<u32, (Count, Count)>,
}

impl TrieWalk {
    /// Calls `visit(frames, counts)` for every stack, ordered by frame list (a prefix first,
    /// a one-count stack before the two-count stack of the same frames). `frames` excludes
    /// the root.
    pub fn for_each_stack(&self, mut visit: impl FnMut(&[u32], Counts)) {
        let mut path: Vec<u32> = Vec::new();
        self.emit(StackTrie::ROOT, &path, &mut visit);
        let mut at = self.nodes[StackTrie::ROOT as usize].first_child;
        while at != NIL {
            let node = &self.nodes[at as usize];
            path.push(node.name);
            self.emit(at, &path, &mut visit);
            if node.first_child != NIL {
                at = node.first_child;
                continue;
            }
            loop {
                path.pop();
                let node = &self.nodes[at as usize];
                if node.next_sibling != NIL {
                    at = node.next_sibling;
                    break;
                }
                if node.parent() == StackTrie::ROOT {
                    at = NIL;
                    break;
                }
                at = node.parent();
            }
        }
    }

    #[inline]
    fn emit(&self, node: u32, path: &[u32], visit: &mut impl FnMut(&[u32], Counts)) {
        if let Some(count) = self.nodes[node as usize].sum() {
            visit(path, Counts::One(count));
        }
        if !self.two.is_empty() {
            if let Some(&(c1, c2)) = self.two.get(&node) {
                visit(path, Counts::Two(c1, c2));
            }
        }
    }
}

/// Sums runs of adjacent identical stacks (same frames, same number of counts) for
/// `--flamechart`, keeping input order.
#[derive(Default)]
pub struct AdjacentMerger {
    frames: Vec<u32>,
    counts: Option<Counts>,
    /// Largest |C2 − C1| over the merged two-count stacks.
    pub max_delta: f64,
}

impl AdjacentMerger {
    /// Adds one stack; when it ends the previous run, the run is passed to `flush`.
    pub fn push(&mut self, frames: &[u32], counts: Counts, flush: impl FnOnce(&[u32], Counts)) {
        if let Some(run) = self.counts {
            if self.frames == frames {
                match (run, counts) {
                    (Counts::One(a), Counts::One(b)) => {
                        self.counts = Some(Counts::One(a.plus(b)));
                        return;
                    }
                    (Counts::Two(a1, a2), Counts::Two(b1, b2)) => {
                        self.counts = Some(Counts::Two(a1.plus(b1), a2.plus(b2)));
                        return;
                    }
                    _ => {}
                }
            }
            self.note_delta(run);
            flush(&self.frames, run);
        }
        self.frames.clear();
        self.frames.extend_from_slice(frames);
        self.counts = Some(counts);
    }

    /// Passes the last run to `flush`.
    pub fn finish(&mut self, flush: impl FnOnce(&[u32], Counts)) {
        if let Some(run) = self.counts.take() {
            self.note_delta(run);
            flush(&self.frames, run);
        }
    }

    fn note_delta(&mut self, counts: Counts) {
        if let Counts::Two(c1, c2) = counts {
            self.max_delta = self.max_delta.max(c2.minus(c1).abs());
        }
    }
}

/// A recorded frame: one rectangle of the graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Interned name.
    pub name: u32,
    /// Depth (0 = the root).
    pub depth: u32,
    /// Start time (the nearest double).
    pub start: f64,
    /// End time, as re-read from its text (the nearest double).
    pub end: f64,
    /// End minus start: exact for integer times, then the nearest double.
    pub span: f64,
    /// Self-delta of a two-count stack that opened it; NaN when it has none.
    pub delta: f64,
}

impl Frame {
    /// The delta, if the frame has one.
    pub fn delta(&self) -> Option<f64> {
        (!self.delta.is_nan()).then_some(self.delta)
    }
}

const DEAD: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct OpenFrame {
    name: u32,
    start: Count,
    delta: f64,
}

/// A frame recorded while its end time is still the current one, kept to apply the
/// overwrite rule of 3.4 to later frames with the same (name, depth, end text).
#[derive(Clone, Copy)]
struct Record {
    start: Count,
    delta: f64,
    kept: u32,
}

/// The identity of an end time: its text, as flamegraph.pl keys recorded frames by it (the
/// exact digits of an integer, `%.15g` of a double; equal texts are equal keys).
#[derive(Clone, Copy, PartialEq, Eq)]
enum EndKey {
    Int(u64),
    Real(u64),
}

/// A closing time: its key, and its value as re-read from its text.
#[derive(Clone, Copy)]
struct End {
    key: EndKey,
    value: Count,
}

impl End {
    fn of(time: Count) -> End {
        match time {
            Count::Int(n) => End {
                key: EndKey::Int(n),
                value: time,
            },
            Count::Real(x) => {
                let reread = reread_g15(x);
                // a double below 10^15 with an integer value has the text of that integer
                let key = if reread.fract() == 0.0 && (0.0..1e15).contains(&reread) {
                    EndKey::Int(reread as u64)
                } else {
                    EndKey::Real(reread.to_bits())
                };
                End {
                    key,
                    value: Count::Real(reread),
                }
            }
        }
    }
}

/// The timeline merge of spec 3.4.
///
/// Frames narrower than `threshold` are not kept (pass `f64::NEG_INFINITY` to keep all).
/// Records are only needed while the end time stays the same, because time never decreases,
/// so the overwrite rule never needs more than the frames closed at the current end time.
/// Times are [`Count`]s: exact while every count is an integer.
pub struct Timeline {
    open: Vec<OpenFrame>,
    time: Count,
    threshold: f64,
    frames: Vec<Frame>,
    run_end: Option<EndKey>,
    run_steps: u32,
    pending: Vec<(u32, u32, Record)>,
    run_map: FastMap<(u32, u32), Record>,
    last: Option<(Count, End)>,
}

impl Timeline {
    /// An empty timeline keeping frames at least `threshold` wide.
    pub fn new(threshold: f64) -> Self {
        Timeline {
            open: Vec::new(),
            time: Count::ZERO,
            threshold,
            frames: Vec::new(),
            run_end: None,
            run_steps: 0,
            pending: Vec::new(),
            run_map: FastMap::default(),
            last: None,
        }
    }

    /// Lays one stack (frames excluding the root) on the timeline.
    pub fn push(&mut self, frames: &[u32], counts: Counts) {
        // the root (depth 0) is shared by every stack once it is open
        let common = match self.open.split_first() {
            Some((_root, below)) => {
                1 + below
                    .iter()
                    .zip(frames)
                    .take_while(|(open, &name)| open.name == name)
                    .count()
            }
            None => 0,
        };
        self.close_to(common);
        let (last_delta, other_delta) = match counts {
            Counts::One(_) => (f64::NAN, f64::NAN),
            Counts::Two(c1, c2) => (c2.minus(c1), 0.0),
        };
        let total = frames.len() + 1;
        for depth in common..total {
            let name = if depth == 0 { 0 } else { frames[depth - 1] };
            let delta = if depth + 1 == total {
                last_delta
            } else {
                other_delta
            };
            self.open.push(OpenFrame {
                name,
                start: self.time,
                delta,
            });
        }
        self.time = self.time.plus(counts.width());
    }

    /// Closes every open frame and returns the kept frames and the total time T.
    pub fn finish(mut self) -> (Vec<Frame>, Count) {
        self.close_to(0);
        let mut frames = self.frames;
        frames.retain(|f| f.depth != DEAD);
        (frames, self.time)
    }

    fn end_time(&mut self) -> End {
        match self.last {
            Some((time, end)) if time == self.time => end,
            _ => {
                let end = End::of(self.time);
                self.last = Some((self.time, end));
                end
            }
        }
    }

    fn close_to(&mut self, keep: usize) {
        if self.open.len() <= keep {
            return;
        }
        let end = self.end_time();
        if self.run_end != Some(end.key) {
            self.run_end = Some(end.key);
            self.run_steps = 0;
            self.pending.clear();
            self.run_map.clear();
        } else if self.run_steps == 1 {
            for (name, depth, record) in self.pending.drain(..) {
                self.run_map.insert((name, depth), record);
            }
        }
        self.run_steps += 1;
        let checking = self.run_steps > 1;
        while self.open.len() > keep {
            let depth = self.open.len() - 1;
            let frame = self.open[depth];
            self.open.truncate(depth);
            self.record(frame, depth as u32, end.value, checking);
        }
    }

    fn record(&mut self, frame: OpenFrame, depth: u32, end: Count, checking: bool) {
        if checking {
            if let Some(mut record) = self.run_map.get(&(frame.name, depth)).copied() {
                record.start = frame.start;
                if !frame.delta.is_nan() {
                    record.delta = frame.delta;
                }
                record.kept = self.update_kept(record, frame.name, depth, end);
                self.run_map.insert((frame.name, depth), record);
                return;
            }
        }
        let mut record = Record {
            start: frame.start,
            delta: frame.delta,
            kept: DEAD,
        };
        record.kept = self.update_kept(record, frame.name, depth, end);
        if checking {
            self.run_map.insert((frame.name, depth), record);
        } else {
            self.pending.push((frame.name, depth, record));
        }
    }

    /// Stores, updates or removes the kept frame of a record; returns its index or `DEAD`.
    fn update_kept(&mut self, record: Record, name: u32, depth: u32, end: Count) -> u32 {
        let span = end.minus(record.start);
        // the root is as wide as the time so far
        let width = if depth == 0 {
            self.time.minus(record.start)
        } else {
            span
        };
        match (record.kept != DEAD, width >= self.threshold) {
            (true, true) => {
                let frame = &mut self.frames[record.kept as usize];
                frame.start = record.start.to_f64();
                frame.span = span;
                frame.delta = record.delta;
                record.kept
            }
            (true, false) => {
                self.frames[record.kept as usize].depth = DEAD;
                DEAD
            }
            (false, true) => {
                self.frames.push(Frame {
                    name,
                    depth,
                    start: record.start.to_f64(),
                    end: end.to_f64(),
                    span,
                    delta: record.delta,
                });
                (self.frames.len() - 1) as u32
            }
            (false, false) => DEAD,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stacks: &[(&[u32], Counts)]) -> (Vec<Frame>, Count) {
        let mut timeline = Timeline::new(f64::NEG_INFINITY);
        for (frames, counts) in stacks {
            timeline.push(frames, *counts);
        }
        timeline.finish()
    }

    #[test]
    fn prefix_frames_merge() {
        let (frames, total) = run(&[
            (&[1, 2], Counts::One(Count::Int(3))),
            (&[1, 3], Counts::One(Count::Int(2))),
        ]);
        assert_eq!(total, Count::Int(5));
        let a = frames.iter().find(|f| f.name == 1).unwrap();
        assert_eq!((a.start, a.end, a.depth), (0.0, 5.0, 1));
        assert_eq!(frames.len(), 4);
    }

    #[test]
    fn zero_width_frame_overwrites_earlier_twin() {
        // `a;b 2` closes `a` and `b` at time 2; `c 0` and the zero-count `a;b 0` open and
        // close at time 2 as well, so the later `a`/`b` have the same (name, depth, end) as the
        // first ones and overwrite them (3.4): the wide `b` disappears.
        let (frames, _) = run(&[
            (&[1, 2], Counts::One(Count::Int(2))),
            (&[3], Counts::One(Count::Int(0))),
            (&[1, 2], Counts::One(Count::Int(0))),
        ]);
        let b: Vec<_> = frames.iter().filter(|f| f.name == 2).collect();
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].start, b[0].end), (2.0, 2.0));
        // with a minimum width the overwritten frame is dropped, its twin too
        let mut timeline = Timeline::new(0.5);
        timeline.push(&[1, 2], Counts::One(Count::Int(2)));
        timeline.push(&[3], Counts::One(Count::Int(0)));
        timeline.push(&[1, 2], Counts::One(Count::Int(0)));
        let (frames, _) = timeline.finish();
        assert!(frames.iter().all(|f| f.name == 0), "{frames:?}");
    }

    #[test]
    fn trie_orders_by_frame_list() {
        let mut trie = StackTrie::new();
        // names: 1 = "b", 2 = "a"; ranks say "a" < "b"
        let b = trie.child(StackTrie::ROOT, 1);
        let a = trie.child(StackTrie::ROOT, 2);
        let ab = trie.child(a, 1);
        trie.add(b, Counts::One(Count::Int(1)));
        trie.add(ab, Counts::Two(Count::Int(1), Count::Int(2)));
        trie.add(a, Counts::One(Count::Int(4)));
        trie.add(a, Counts::Two(Count::Int(1), Count::Int(1)));
        trie.add(ab, Counts::Two(Count::Int(2), Count::Int(3)));
        let walk = trie.into_walk(&[0, 2, 1]);
        let mut seen = Vec::new();
        walk.for_each_stack(|path, counts| seen.push((path.to_vec(), counts)));
        assert_eq!(
            seen,
            vec![
                (vec![2], Counts::One(Count::Int(4))),
                (vec![2], Counts::Two(Count::Int(1), Count::Int(1))),
                (vec![2, 1], Counts::Two(Count::Int(3), Count::Int(5))),
                (vec![1], Counts::One(Count::Int(1))),
            ]
        );
    }
}
