//! Merging stacks (docs/flamegraph.md, "Merging"): summing and ordering, flame charts, and
//! the recorded [`Frame`]s the timeline merge of [`super::timeline`] makes of them.
//!
//! The default mode streams lines into a [`StackTrie`] (one node per distinct frame-list
//! prefix, counts summed in place), so memory follows the number of distinct prefixes, not the
//! number of lines. The trie is then walked in frame-list order and fed to a
//! [`super::timeline::Timeline`].

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
    stacks: Vec<(u32, u32, Packed)>,
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
        self.stacks
            .push((start as u32, len as u32, Packed::new(counts)));
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

/// [`Counts`] in 24 bytes instead of 32 (a batch entry stays 32 bytes): the two values' bits
/// and which of them are doubles, or that there is one value.
#[derive(Clone, Copy)]
struct Packed {
    first: u64,
    second: u64,
    /// Bit 0: two counts; bit 1: the first is a double; bit 2: the second is a double.
    tag: u8,
}

impl Packed {
    #[inline]
    fn new(counts: Counts) -> Packed {
        let bits = |count: Count| match count {
            Count::Int(n) => (n, 0),
            Count::Real(x) => (x.to_bits(), 1),
        };
        match counts {
            Counts::One(c) => {
                let (first, real) = bits(c);
                Packed {
                    first,
                    second: 0,
                    tag: real << 1,
                }
            }
            Counts::Two(c1, c2) => {
                let ((first, real1), (second, real2)) = (bits(c1), bits(c2));
                Packed {
                    first,
                    second,
                    tag: 1 | real1 << 1 | real2 << 2,
                }
            }
        }
    }

    #[inline]
    fn counts(self) -> Counts {
        let count = |bits: u64, real: bool| {
            if real {
                Count::Real(f64::from_bits(bits))
            } else {
                Count::Int(bits)
            }
        };
        let first = count(self.first, self.tag & 2 != 0);
        if self.tag & 1 == 0 {
            Counts::One(first)
        } else {
            Counts::Two(first, count(self.second, self.tag & 4 != 0))
        }
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
            trie.add(node, view.stacks[i as usize].2.counts());
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

#[cfg(test)]
mod tests {
    use super::*;

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
