//! The timeline merge (docs/flamegraph.md, "Merging": frames): stacks laid out left to right,
//! shared leading frames shared, each closed frame recorded under its (name, depth, end time)
//! with flamegraph.pl's overwrite rule.
//!
//! Times are exact: a [`Timeline`] is generic over its [`Time`], `u64` when every count is an
//! integer and the total fits (the common case, as cheap as doubles), [`Count`] otherwise
//! (integers exact until a decimal count or 2^64, then doubles).

use super::merge::Frame;
use super::number::reread_g15;
use crate::folded::{Count, Counts};
use crate::hash::FastMap;

/// A time on the timeline.
pub trait Time: Copy + PartialEq {
    /// Time 0.
    const ZERO: Self;
    /// This time plus the width of a stack's counts.
    fn after(self, counts: Counts) -> Self;
    /// `self − before` as the nearest double of the exact difference.
    fn minus(self, before: Self) -> f64;
    /// The nearest double.
    fn to_f64(self) -> f64;
    /// The time as a recorded end: its key (its text) and its value as re-read from the text.
    fn end(self) -> (EndKey, Self);
}

/// Exact integer times, for inputs whose counts are all integers with a total below 2^64
/// (so no sum can overflow).
impl Time for u64 {
    const ZERO: u64 = 0;

    #[inline]
    fn after(self, counts: Counts) -> u64 {
        match counts.width() {
            Count::Int(n) => self + n,
            // not for inputs with decimal counts (those use `Count`)
            Count::Real(x) => self + x as u64,
        }
    }

    #[inline]
    fn minus(self, before: u64) -> f64 {
        // times never decrease
        self.saturating_sub(before) as f64
    }

    #[inline]
    fn to_f64(self) -> f64 {
        self as f64
    }

    #[inline]
    fn end(self) -> (EndKey, u64) {
        (EndKey::Int(self), self)
    }
}

impl Time for Count {
    const ZERO: Count = Count::ZERO;

    #[inline]
    fn after(self, counts: Counts) -> Count {
        self.plus(counts.width())
    }

    #[inline]
    fn minus(self, before: Count) -> f64 {
        Count::minus(self, before)
    }

    #[inline]
    fn to_f64(self) -> f64 {
        Count::to_f64(self)
    }

    fn end(self) -> (EndKey, Count) {
        match self {
            Count::Int(n) => (EndKey::Int(n), self),
            Count::Real(x) => {
                let reread = reread_g15(x);
                // a double below 10^15 with an integer value has the text of that integer
                let key = if reread.fract() == 0.0 && (0.0..1e15).contains(&reread) {
                    EndKey::Int(reread as u64)
                } else {
                    EndKey::Real(reread.to_bits())
                };
                (key, Count::Real(reread))
            }
        }
    }
}

/// The identity of an end time: its text, as flamegraph.pl keys recorded frames by it (the
/// exact digits of an integer, `%.15g` of a double; equal texts are equal keys).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EndKey {
    /// An integer's digits.
    Int(u64),
    /// A double's `%.15g` text, as the bits of its value.
    Real(u64),
}

const DEAD: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct OpenFrame<T> {
    name: u32,
    start: T,
    delta: f64,
}

/// A frame recorded while its end time is still the current one, kept to apply the
/// overwrite rule to later frames with the same (name, depth, end text).
#[derive(Clone, Copy)]
struct Record<T> {
    start: T,
    delta: f64,
    kept: u32,
}

/// The timeline merge.
///
/// Frames narrower than `threshold` are not kept (pass `f64::NEG_INFINITY` to keep all).
/// Records are only needed while the end time stays the same, because time never decreases,
/// so the overwrite rule never needs more than the frames closed at the current end time.
pub struct Timeline<T> {
    open: Vec<OpenFrame<T>>,
    time: T,
    threshold: f64,
    frames: Vec<Frame>,
    run_end: Option<EndKey>,
    run_steps: u32,
    pending: Vec<(u32, u32, Record<T>)>,
    run_map: FastMap<(u32, u32), Record<T>>,
    last: Option<(T, EndKey, T)>,
}

impl<T: Time> Timeline<T> {
    /// An empty timeline keeping frames at least `threshold` wide.
    pub fn new(threshold: f64) -> Self {
        Timeline {
            open: Vec::new(),
            time: T::ZERO,
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
        self.time = self.time.after(counts);
    }

    /// Closes every open frame and returns the kept frames and the total time T.
    pub fn finish(mut self) -> (Vec<Frame>, T) {
        self.close_to(0);
        let mut frames = self.frames;
        frames.retain(|f| f.depth != DEAD);
        (frames, self.time)
    }

    fn end_time(&mut self) -> (EndKey, T) {
        match self.last {
            Some((time, key, end)) if time == self.time => (key, end),
            _ => {
                let (key, end) = self.time.end();
                self.last = Some((self.time, key, end));
                (key, end)
            }
        }
    }

    fn close_to(&mut self, keep: usize) {
        if self.open.len() <= keep {
            return;
        }
        let (key, end) = self.end_time();
        if self.run_end != Some(key) {
            self.run_end = Some(key);
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

    fn record(&mut self, frame: OpenFrame<T>, depth: u32, end: T, checking: bool) {
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
    #[inline]
    fn update_kept(&mut self, record: Record<T>, name: u32, depth: u32, end: T) -> u32 {
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
        let mut timeline = Timeline::<Count>::new(f64::NEG_INFINITY);
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
        let mut timeline = Timeline::<u64>::new(0.5);
        timeline.push(&[1, 2], Counts::One(Count::Int(2)));
        timeline.push(&[3], Counts::One(Count::Int(0)));
        timeline.push(&[1, 2], Counts::One(Count::Int(0)));
        let (frames, _) = timeline.finish();
        assert!(frames.iter().all(|f| f.name == 0), "{frames:?}");
    }

    #[test]
    fn huge_integer_times_stay_exact() {
        // 10^15 + 1 and 3: with doubles re-read from `%.15g` the two `f` frames would end at
        // the same text and overwrite each other
        for exact in [false, true] {
            let stacks: [(&[u32], Counts); 2] = [
                (&[1, 3], Counts::One(Count::Int(1_000_000_000_000_001))),
                (&[2, 3], Counts::One(Count::Int(3))),
            ];
            let frames = if exact {
                let mut timeline = Timeline::<u64>::new(f64::NEG_INFINITY);
                stacks.iter().for_each(|(f, c)| timeline.push(f, *c));
                timeline.finish().0
            } else {
                run(&stacks).0
            };
            let spans: Vec<f64> = frames
                .iter()
                .filter(|f| f.name == 3)
                .map(|f| f.span)
                .collect();
            assert_eq!(spans.len(), 2, "{frames:?}");
            assert!(spans.contains(&1_000_000_000_000_001.0) && spans.contains(&3.0));
        }
    }
}
