//! Merging stacks into frames: summing and ordering (spec 3.2), flame charts (3.3) and the
//! timeline merge with its recording rule (3.4).
//!
//! The default mode streams lines into a [`StackTrie`] (one node per distinct frame-list
//! prefix, counts summed in place), so memory follows the number of distinct prefixes, not the
//! number of lines. The trie is then walked in frame-list order and fed to a [`Timeline`].

use super::intern::FastMap;
use super::number::reread_g15;
use crate::folded::Counts;

/// Marks an absent one-count sum in [`Node::count`].
const NONE: f64 = f64::NAN;
/// Marks an empty slot of the trie's hash table.
const EMPTY: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Node {
    parent: u32,
    name: u32,
    /// Sum of the one-count stacks ending here, `NONE` when there is none.
    count: f64,
}

/// Distinct stacks as a prefix tree of interned frame ids, with their counts summed.
///
/// Node 0 is the implied root frame `""`. Children are found through one open-addressing
/// table keyed by (parent, name), which costs 8 bytes per node.
pub struct StackTrie {
    nodes: Vec<Node>,
    table: Vec<u32>,
    /// Sums (C1, C2) of the two-count stacks, by node.
    two: FastMap<u32, (f64, f64)>,
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
                parent: EMPTY,
                name: 0,
                count: NONE,
            }],
            table: vec![EMPTY; 1024],
            two: FastMap::default(),
        }
    }

    /// The root node.
    pub const ROOT: u32 = 0;

    #[inline]
    fn slot(parent: u32, name: u32, mask: usize) -> usize {
        let key = (u64::from(parent) << 32) | u64::from(name);
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask
    }

    /// The child of `parent` named `name`, created when new.
    #[inline]
    pub fn child(&mut self, parent: u32, name: u32) -> u32 {
        let mask = self.table.len() - 1;
        let mut slot = Self::slot(parent, name, mask);
        loop {
            let id = self.table[slot];
            if id == EMPTY {
                break;
            }
            let node = &self.nodes[id as usize];
            if node.parent == parent && node.name == name {
                return id;
            }
            slot = (slot + 1) & mask;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            parent,
            name,
            count: NONE,
        });
        self.table[slot] = id;
        if self.nodes.len() * 2 > self.table.len() {
            self.grow();
        }
        id
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        let mask = size - 1;
        let mut table = vec![EMPTY; size];
        for (id, node) in self.nodes.iter().enumerate().skip(1) {
            let mut slot = Self::slot(node.parent, node.name, mask);
            while table[slot] != EMPTY {
                slot = (slot + 1) & mask;
            }
            table[slot] = id as u32;
        }
        self.table = table;
    }

    /// Adds the counts of one stack ending at `node`.
    #[inline]
    pub fn add(&mut self, node: u32, counts: Counts) {
        match counts {
            Counts::One(c) => {
                let slot = &mut self.nodes[node as usize].count;
                *slot = if slot.is_nan() { c } else { *slot + c };
            }
            Counts::Two(c1, c2) => {
                let sums = self.two.entry(node).or_insert((0.0, 0.0));
                sums.0 += c1;
                sums.1 += c2;
            }
        }
    }

    /// The largest |C2 − C1| over the summed two-count stacks (0 when there are none).
    pub fn max_delta(&self) -> f64 {
        self.two
            .values()
            .fold(0.0, |max: f64, (c1, c2)| max.max((c2 - c1).abs()))
    }

    /// Freezes the trie for walking: children sorted by `ranks` (name byte order).
    pub fn into_walk(self, ranks: &[u32]) -> TrieWalk {
        let StackTrie { nodes, table, two } = self;
        drop(table);
        let mut starts = vec![0u32; nodes.len() + 1];
        for node in &nodes[1..] {
            starts[node.parent as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut children = vec![0u32; nodes.len().saturating_sub(1)];
        for (id, node) in nodes.iter().enumerate().skip(1) {
            let at = &mut fill[node.parent as usize];
            children[*at as usize] = id as u32;
            *at += 1;
        }
        drop(fill);
        for parent in 0..nodes.len() {
            let range = starts[parent] as usize..starts[parent + 1] as usize;
            children[range].sort_unstable_by_key(|&c| ranks[nodes[c as usize].name as usize]);
        }
        TrieWalk {
            nodes,
            starts,
            children,
            two,
        }
    }
}

/// A frozen [`StackTrie`] that yields its stacks in frame-list order.
pub struct TrieWalk {
    nodes: Vec<Node>,
    starts: Vec<u32>,
    children: Vec<u32>,
    two: FastMap<u32, (f64, f64)>,
}

impl TrieWalk {
    /// Calls `visit(frames, counts)` for every stack, ordered by frame list (a prefix first,
    /// a one-count stack before the two-count stack of the same frames). `frames` excludes
    /// the root.
    pub fn for_each_stack(&self, mut visit: impl FnMut(&[u32], Counts)) {
        let mut path: Vec<u32> = Vec::new();
        // (node, index of the next child to visit)
        let mut stack: Vec<(u32, u32)> = vec![(StackTrie::ROOT, self.starts[0])];
        self.emit(StackTrie::ROOT, &path, &mut visit);
        while let Some(top) = stack.last_mut() {
            let (node, next) = *top;
            if next == self.starts[node as usize + 1] {
                stack.pop();
                path.pop();
                continue;
            }
            top.1 += 1;
            let child = self.children[next as usize];
            path.push(self.nodes[child as usize].name);
            self.emit(child, &path, &mut visit);
            stack.push((child, self.starts[child as usize]));
        }
    }

    #[inline]
    fn emit(&self, node: u32, path: &[u32], visit: &mut impl FnMut(&[u32], Counts)) {
        let count = self.nodes[node as usize].count;
        if !count.is_nan() {
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
                        self.counts = Some(Counts::One(a + b));
                        return;
                    }
                    (Counts::Two(a1, a2), Counts::Two(b1, b2)) => {
                        self.counts = Some(Counts::Two(a1 + b1, a2 + b2));
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
            self.max_delta = self.max_delta.max((c2 - c1).abs());
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
    /// Start time.
    pub start: f64,
    /// End time, as re-read from its `%.15g` text.
    pub end: f64,
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
    start: f64,
    delta: f64,
}

/// A frame recorded while its end time is still the current one, kept to apply the
/// overwrite rule of 3.4 to later frames with the same (name, depth, end text).
#[derive(Clone, Copy)]
struct Record {
    start: f64,
    delta: f64,
    kept: u32,
}

/// The timeline merge of spec 3.4.
///
/// Frames narrower than `threshold` are not kept (pass `f64::NEG_INFINITY` to keep all).
/// Records are only needed while the end time stays the same, because time never decreases,
/// so the overwrite rule never needs more than the frames closed at the current end time.
pub struct Timeline {
    open: Vec<OpenFrame>,
    time: f64,
    threshold: f64,
    frames: Vec<Frame>,
    run_end: u64,
    run_steps: u32,
    pending: Vec<(u32, u32, Record)>,
    run_map: FastMap<(u32, u32), Record>,
    last_time: f64,
    last_end: f64,
}

impl Timeline {
    /// An empty timeline keeping frames at least `threshold` wide.
    pub fn new(threshold: f64) -> Self {
        Timeline {
            open: Vec::new(),
            time: 0.0,
            threshold,
            frames: Vec::new(),
            run_end: u64::MAX,
            run_steps: 0,
            pending: Vec::new(),
            run_map: FastMap::default(),
            last_time: f64::NAN,
            last_end: f64::NAN,
        }
    }

    /// Lays one stack (frames excluding the root) on the timeline.
    pub fn push(&mut self, frames: &[u32], counts: Counts) {
        let depth_of_root = usize::from(!self.open.is_empty() && self.open[0].name == 0);
        let common = if depth_of_root == 1 {
            1 + self.open[1..]
                .iter()
                .zip(frames)
                .take_while(|(open, &name)| open.name == name)
                .count()
        } else {
            0
        };
        self.close_to(common);
        let (last_delta, other_delta) = match counts {
            Counts::One(_) => (f64::NAN, f64::NAN),
            Counts::Two(c1, c2) => (c2 - c1, 0.0),
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
        self.time += counts.width();
    }

    /// Closes every open frame and returns the kept frames and the total time T.
    pub fn finish(mut self) -> (Vec<Frame>, f64) {
        self.close_to(0);
        let mut frames = self.frames;
        frames.retain(|f| f.depth != DEAD);
        (frames, self.time)
    }

    fn end_time(&mut self) -> f64 {
        if self.time.to_bits() != self.last_time.to_bits() {
            self.last_time = self.time;
            self.last_end = reread_g15(self.time);
        }
        self.last_end
    }

    fn close_to(&mut self, keep: usize) {
        if self.open.len() <= keep {
            return;
        }
        let end = self.end_time();
        if end.to_bits() != self.run_end {
            self.run_end = end.to_bits();
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
            self.record(frame, depth as u32, end, checking);
        }
    }

    fn width_kept(&self, depth: u32, start: f64, end: f64) -> bool {
        let end = if depth == 0 { self.time } else { end };
        end - start >= self.threshold
    }

    fn record(&mut self, frame: OpenFrame, depth: u32, end: f64, checking: bool) {
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
    fn update_kept(&mut self, record: Record, name: u32, depth: u32, end: f64) -> u32 {
        let keep = self.width_kept(depth, record.start, end);
        match (record.kept != DEAD, keep) {
            (true, true) => {
                let frame = &mut self.frames[record.kept as usize];
                frame.start = record.start;
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
                    start: record.start,
                    end,
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

    fn run(stacks: &[(&[u32], Counts)]) -> (Vec<Frame>, f64) {
        let mut timeline = Timeline::new(f64::NEG_INFINITY);
        for (frames, counts) in stacks {
            timeline.push(frames, *counts);
        }
        timeline.finish()
    }

    #[test]
    fn prefix_frames_merge() {
        let (frames, total) = run(&[(&[1, 2], Counts::One(3.0)), (&[1, 3], Counts::One(2.0))]);
        assert_eq!(total, 5.0);
        let a = frames.iter().find(|f| f.name == 1).unwrap();
        assert_eq!((a.start, a.end, a.depth), (0.0, 5.0, 1));
        assert_eq!(frames.len(), 4);
    }

    #[test]
    fn zero_width_frame_overwrites_earlier_twin() {
        // a;b 2, then c;b 0 closes `b` at depth 2 at time 2 again? No: c;b opens at 2 and
        // closes at 2, the same (name, depth, end) as the first `b` only when names match.
        let (frames, _) = run(&[
            (&[1, 2], Counts::One(2.0)),
            (&[3], Counts::One(0.0)),
            (&[1, 2], Counts::One(0.0)),
        ]);
        // the second `a;b` (zero width, at time 2) overwrote the first `a` and `b` (end 2)
        let b = frames.iter().find(|f| f.name == 2).unwrap();
        assert_eq!((b.start, b.end), (2.0, 2.0));
    }

    #[test]
    fn trie_orders_by_frame_list() {
        let mut trie = StackTrie::new();
        // names: 1 = "b", 2 = "a"; ranks say "a" < "b"
        let b = trie.child(StackTrie::ROOT, 1);
        let a = trie.child(StackTrie::ROOT, 2);
        let ab = trie.child(a, 1);
        trie.add(b, Counts::One(1.0));
        trie.add(ab, Counts::Two(1.0, 2.0));
        trie.add(a, Counts::One(4.0));
        trie.add(a, Counts::Two(1.0, 1.0));
        trie.add(ab, Counts::Two(2.0, 3.0));
        let walk = trie.into_walk(&[0, 2, 1]);
        let mut seen = Vec::new();
        walk.for_each_stack(|path, counts| seen.push((path.to_vec(), counts)));
        assert_eq!(
            seen,
            vec![
                (vec![2], Counts::One(4.0)),
                (vec![2], Counts::Two(1.0, 1.0)),
                (vec![2, 1], Counts::Two(3.0, 5.0)),
                (vec![1], Counts::One(1.0)),
            ]
        );
    }
}
