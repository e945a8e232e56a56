//! Reading the folded inputs into merged stacks: the default mode sums stacks into a trie (a
//! second thread sorts and inserts while this one reads), `--flamechart` merges adjacent
//! identical stacks in input order.

use std::sync::mpsc;

use super::chain::ChainRewriter;
use super::intern::Interner;
use super::merge::{AdjacentMerger, Batch, BatchInserter, Frame, StackTrie, TrieWalk};
use super::timeline::Timeline;
use super::{io_reason, Error, Input, Options};
use crate::folded::{frame_text, read_lines, Count, Counts, Skipped};

/// Frames either already laid out (flame chart) or still to lay out from the sorted stacks.
pub(crate) enum FrameSource {
    /// The flame chart's frames, in input order.
    Kept(Vec<Frame>),
    /// The merged stacks, to lay out once the minimum width is known.
    Walk(TrieWalk),
}

/// Every input read and merged.
pub(crate) struct Merged {
    /// The frames or the stacks to make them from.
    pub(crate) frames: FrameSource,
    /// The sum of the counts (the second of the two counts of a differential line).
    pub(crate) total: Count,
    /// The largest |delta| of a differential graph (0 otherwise).
    pub(crate) max_delta: f64,
    /// Lines that were not folded stacks, or had negative counts.
    pub(crate) invalid: Skipped,
}

fn read_input_lines(input: Input, on_line: impl FnMut(&str, Counts)) -> Result<Skipped, Error> {
    let Input { name, mut reader } = input;
    let read_error = |err: std::io::Error, name: String| Error::Read {
        name,
        reason: io_reason(&err),
    };
    match reader.fill_buf() {
        Ok(head) => {
            if let Some(what) = not_folded(head) {
                return Err(Error::NotFolded { name, what });
            }
        }
        Err(err) => return Err(read_error(err, name)),
    }
    read_lines(reader, on_line).map_err(|err| read_error(err, name))
}

/// What an input that starts with `head` is, when it is a pprof profile rather than folded
/// text: gzip data (how Go serves and `go tool pprof -proto` writes profiles) or an
/// uncompressed protobuf `Profile`.
fn not_folded(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some("gzip-compressed data")
    } else if looks_like_profile_protobuf(head) {
        Some("protobuf data")
    } else {
        None
    }
}

/// True when `head` holds control bytes (text has none but tab, CR and LF) and its first
/// three protobuf fields are fields of pprof's `Profile` message with their wire types
/// (1–6 and 11 length-delimited, 7–10 and 12–15 varints; 13 may also be packed).
fn looks_like_profile_protobuf(head: &[u8]) -> bool {
    let start = &head[..head.len().min(64)];
    if !start
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return false;
    }
    let mut at = 0;
    for _ in 0..3 {
        let Some((tag, next)) = varint(head, at) else {
            return false;
        };
        let (field, wire) = (tag >> 3, tag & 7);
        at = match (field, wire) {
            (1..=6 | 11 | 13, 2) => match varint(head, next) {
                Some((len, body)) => body.saturating_add(len as usize),
                None => return false,
            },
            (7..=10 | 12..=15, 0) => match varint(head, next) {
                Some((_, after)) => after,
                None => return false,
            },
            _ => return false,
        };
        if at >= head.len() {
            // the buffer ends inside a valid field: as far as can be seen, a profile
            return true;
        }
    }
    true
}

/// The protobuf varint at `at` and the offset after it.
fn varint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    crate::varint::read(bytes, at, bytes.len())
}

/// The default mode (docs/flamegraph.md, "Merging"): stacks summed by frame list into a trie,
/// walked in frame-list order.
pub(crate) fn merge_sorted(
    inputs: Vec<Input>,
    opts: &Options,
    names: &mut Interner,
) -> Result<Merged, Error> {
    let (trie, invalid) = build_trie(inputs, opts, names)?;
    let max_delta = trie.max_delta();
    let exact_total = trie.exact_total();
    let walk = trie.into_walk(&names.byte_ranks());
    let total = exact_total.unwrap_or_else(|| {
        let mut total = Count::ZERO;
        walk.for_each_stack(|_, counts| total = total.plus(counts.width()));
        total
    });
    Ok(Merged {
        frames: FrameSource::Walk(walk),
        total,
        max_delta,
        invalid,
    })
}

/// Reads every input into a [`StackTrie`]: this thread splits lines and interns names into
/// batches, a second thread sorts each batch and inserts it (two bounded batches in flight).
fn build_trie(
    inputs: Vec<Input>,
    opts: &Options,
    names: &mut Interner,
) -> Result<(StackTrie, Skipped), Error> {
    let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(1);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<Batch>(2);
    for _ in 0..2 {
        let _ = empty_tx.send(Batch::default());
    }
    std::thread::scope(|scope| {
        let inserter = scope.spawn(move || {
            let mut trie = StackTrie::new();
            let mut inserter = BatchInserter::default();
            for mut batch in full_rx {
                inserter.insert(&mut trie, &mut batch);
                let _ = empty_tx.send(batch);
            }
            trie
        });
        let read = read_batches(inputs, opts, names, &full_tx, &empty_rx);
        drop(full_tx);
        let trie = inserter.join().expect("trie insertion thread");
        read.map(|invalid| (trie, invalid))
    })
}

/// Fills batches from the inputs and hands each full one over; returns the invalid lines.
fn read_batches(
    inputs: Vec<Input>,
    opts: &Options,
    names: &mut Interner,
    full: &mpsc::SyncSender<Batch>,
    empty: &mpsc::Receiver<Batch>,
) -> Result<Skipped, Error> {
    let mut batch = empty.recv().unwrap_or_default();
    let mut invalid = Skipped::default();
    for input in inputs {
        invalid += read_input_lines(input, |stack, counts| {
            let text = frame_text(stack, opts.reverse);
            let full_now = batch.push(counts, |ids| {
                let start = ids.len();
                names.intern_split(text, ids);
                if opts.reverse {
                    ids[start..].reverse();
                }
            });
            if full_now {
                let next = empty.recv().unwrap_or_default();
                let _ = full.send(std::mem::replace(&mut batch, next));
            }
        })?;
    }
    if !batch.is_empty() {
        let _ = full.send(batch);
    }
    Ok(invalid)
}

/// `--flamechart` (docs/flamegraph.md, "Merging"): input order, adjacent identical stacks
/// summed.
pub(crate) fn merge_flamechart(
    inputs: Vec<Input>,
    opts: &Options,
    names: &mut Interner,
) -> Result<Merged, Error> {
    let mut merger = AdjacentMerger::default();
    let mut timeline = Timeline::<Count>::new(f64::NEG_INFINITY);
    let mut chain = ChainRewriter::new(opts);
    let mut ids = Vec::new();
    let mut invalid = Skipped::default();
    for input in inputs {
        invalid += read_input_lines(input, |stack, counts| {
            ids.clear();
            names.intern_split(frame_text(stack, opts.reverse), &mut ids);
            if opts.reverse {
                ids.reverse();
            }
            merger.push(&ids, counts, |stack, counts| {
                timeline.push(chain.rewrite(stack, names), counts)
            });
        })?;
    }
    merger.finish(|stack, counts| timeline.push(chain.rewrite(stack, names), counts));
    let (frames, total) = timeline.finish();
    Ok(Merged {
        frames: FrameSource::Kept(frames),
        total,
        max_delta: merger.max_delta,
        invalid,
    })
}
