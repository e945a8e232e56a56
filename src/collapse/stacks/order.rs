//! Output order: stacks sorted bytewise by their text, without building the text.
//!
//! Frame texts never contain `;` (the interner splits them there), so a stack's text is its
//! frames joined with `;`, and two texts compare like their sequences of *tokens*: every frame
//! but the last is the token `FRAME;`, the last one is `FRAME` followed by the end of the text.
//! Ranking all tokens once (two per frame) reduces the comparison of two stacks to comparing
//! two sequences of numbers.
//!
//! Why that is exact: take the first position where the frame lists differ. Two `FRAME;`
//! tokens of different frames differ within their own bytes, since neither can be a prefix
//! of the other without a `;` inside a frame. A last token `FRAME` that is a prefix of the
//! other side's token means the text ends first, which sorts first, as the shorter token
//! does. Everything else differs inside both tokens.
//!
//! The sequences are sorted by a multikey quicksort (Bentley and Sedgewick's three-way radix
//! quicksort over token positions): each stack keeps a cursor, and a stack's tokens are read
//! only as deep as they are needed to tell it apart from its neighbours.

use super::{next_id, Stacks};
use crate::intern::Interner;

/// Token 0 is the end of a stack: it sorts before every frame.
const END: u32 = 0;

/// The rank (1-based) of each frame's two tokens: `FRAME` as the last frame and `FRAME;`.
struct Tokens {
    last: Vec<u32>,
    inner: Vec<u32>,
}

impl Tokens {
    fn new(stacks: &Stacks) -> Self {
        let frames = &stacks.frames;
        let by_text = sorted_by_text(frames);
        let mut tokens = Tokens {
            last: vec![END; frames.len()],
            inner: vec![END; frames.len()],
        };
        // `FRAME;` sorts after FRAME and after every text that extends FRAME with a byte
        // below `;`: those follow FRAME in sorted order, so each frame stays "open" until
        // a text arrives that its `FRAME;` token precedes.
        let mut open: Vec<u32> = Vec::new();
        let mut next = END + 1;
        for &id in &by_text {
            let text = frames.get(id);
            while let Some(&top) = open.last() {
                let prefix = frames.get(top);
                if text.starts_with(prefix) && text[prefix.len()] < b';' {
                    break;
                }
                tokens.inner[top as usize] = next;
                next += 1;
                open.pop();
            }
            tokens.last[id as usize] = next;
            next += 1;
            open.push(id);
        }
        while let Some(top) = open.pop() {
            tokens.inner[top as usize] = next;
            next += 1;
        }
        tokens
    }
}

/// Bytes of a text per sort digit.
const DIGIT_BYTES: usize = 7;

/// Digit `depth` of `text` for sorting: 7 bytes big-endian, then how many of them the text has
/// (7 when it goes on), so that digits compare like the texts and a text sorts before its
/// extensions.
#[inline]
fn digit(text: &[u8], depth: usize) -> u64 {
    let start = (depth * DIGIT_BYTES).min(text.len());
    let bytes = &text[start..(start + DIGIT_BYTES).min(text.len())];
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    word[7] = bytes.len() as u8;
    u64::from_be_bytes(word)
}

/// Frame ids in bytewise order of their texts: a multikey quicksort on 7-byte digits, which
/// reads each text only as far as it must (frame texts share long package prefixes).
fn sorted_by_text(frames: &Interner<u8>) -> Vec<u32> {
    let mut items: Vec<(u64, u32)> = (0..frames.len() as u32)
        .map(|id| (digit(frames.get(id), 0), id))
        .collect();
    let mut work = vec![(0, items.len(), 0)];
    let mut pivots = Pivots(0x9e37_79b9_7f4a_7c15);
    while let Some((lo, hi, depth)) = work.pop() {
        if hi - lo < 2 {
            continue;
        }
        let pivot = items[pivots.pick(lo, hi)].0;
        let (lt, gt) = partition(&mut items[lo..hi], pivot, |item| item.0);
        let (lt, gt) = (lo + lt, lo + gt);
        work.push((lo, lt, depth));
        work.push((gt, hi, depth));
        // Equal digits that do not fill all seven bytes end their (distinct) texts: no tie.
        if pivot & 0xff == DIGIT_BYTES as u64 {
            for item in &mut items[lt..gt] {
                item.0 = digit(frames.get(item.1), depth + 1);
            }
            work.push((lt, gt, depth + 1));
        }
    }
    items.into_iter().map(|(_, id)| id).collect()
}

/// Where a stack's next frame is: a byte offset in its key and the rest of the current
/// segment (a range of the segment arena).
#[derive(Clone, Copy, Default)]
struct Cursor {
    key_pos: u32,
    segment: u32,
    segment_end: u32,
}

/// One stack being sorted: its current token and where its next frame is.
#[derive(Clone, Copy)]
struct Item {
    token: u32,
    stack: u32,
    cursor: Cursor,
}

/// Reads stacks token by token.
struct Reader<'a> {
    stacks: &'a Stacks,
    tokens: Tokens,
}

impl Reader<'_> {
    /// Moves `item` to its stack's next token (END once its frames are used up).
    #[inline]
    fn advance(&self, item: &mut Item) {
        let key = self.stacks.table.key(item.stack);
        let segments = &self.stacks.segments;
        let cursor = &mut item.cursor;
        while cursor.segment == cursor.segment_end {
            let Some((segment, pos)) = next_id(key, cursor.key_pos as usize) else {
                item.token = END;
                return;
            };
            let (start, end) = segments.range(segment);
            cursor.key_pos = pos as u32;
            cursor.segment = start as u32;
            cursor.segment_end = end as u32;
        }
        let frame = segments.items()[cursor.segment as usize] as usize;
        cursor.segment += 1;
        // Segments are never empty, so the frame is the last one when both run out here.
        item.token = if cursor.segment == cursor.segment_end && cursor.key_pos as usize == key.len()
        {
            self.tokens.last[frame]
        } else {
            self.tokens.inner[frame]
        };
    }
}

/// A small deterministic generator for pivot positions (so that no input order makes every
/// partition lopsided).
struct Pivots(u64);

impl Pivots {
    fn pick(&mut self, lo: usize, hi: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        lo + ((self.0 >> 33) as usize % (hi - lo))
    }
}

/// The stack ids in output order, each with `true` when its text equals the previous one's
/// (so that its sum belongs to that line).
pub(super) fn sorted(stacks: &Stacks) -> Vec<(u32, bool)> {
    let count = stacks.table.len();
    let reader = Reader {
        stacks,
        tokens: Tokens::new(stacks),
    };
    // Every range on the work list holds stacks whose earlier tokens are all equal and whose
    // cursors stand at the same depth.
    let mut items: Vec<Item> = (0..count as u32)
        .map(|stack| {
            let mut item = Item {
                token: END,
                stack,
                cursor: Cursor::default(),
            };
            reader.advance(&mut item);
            item
        })
        .collect();
    let mut same_as_previous = vec![false; count];
    let mut work = vec![(0, count)];
    let mut pivots = Pivots(0x2545_f491_4f6c_dd1d);
    while let Some((lo, hi)) = work.pop() {
        if hi - lo < 2 {
            continue;
        }
        let pivot = items[pivots.pick(lo, hi)].token;
        let (lt, gt) = partition(&mut items[lo..hi], pivot, |item| item.token);
        let (lt, gt) = (lo + lt, lo + gt);
        work.push((lo, lt));
        work.push((gt, hi));
        if pivot == END {
            same_as_previous[lt + 1..gt].fill(true);
            continue;
        }
        for item in &mut items[lt..gt] {
            reader.advance(item);
        }
        work.push((lt, gt));
    }
    items
        .into_iter()
        .zip(same_as_previous)
        .map(|(item, same)| (item.stack, same))
        .collect()
}

/// Three-way partition by `key`: returns `(lt, gt)` with keys below `pivot` in `..lt`, equal
/// in `lt..gt` and above in `gt..`.
fn partition<T, K: Ord>(items: &mut [T], pivot: K, key: impl Fn(&T) -> K) -> (usize, usize) {
    let (mut lt, mut i, mut gt) = (0, 0, items.len());
    while i < gt {
        let token = key(&items[i]);
        if token < pivot {
            items.swap(lt, i);
            lt += 1;
            i += 1;
        } else if token > pivot {
            gt -= 1;
            items.swap(i, gt);
        } else {
            i += 1;
        }
    }
    (lt, gt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_sort_bytewise_by_digits() {
        let mut texts: Vec<Vec<u8>> = [
            &b""[..],
            b"\0",
            b"a",
            b"a\0",
            b"a\0\0\0\0\0\0",
            b"a\0\0\0\0\0\0\0",
            b"abcdefg",
            b"abcdefg\0",
            b"abcdefgh",
            b"abcdefgha",
            b"abcdefg\xff",
            b"\xff\xfe",
            b"github.com/x/y.(*T).f",
            b"github.com/x/y.(*T).f.func1",
            b"github.com/x/y.(*T).g",
            b"github.com/x/z.f",
        ]
        .iter()
        .map(|t| t.to_vec())
        .collect();
        // Interned in a scrambled order, so that the sort has work to do.
        texts.rotate_left(5);
        texts.swap(0, 9);
        let mut frames = Interner::default();
        for t in &texts {
            frames.intern(t);
        }
        let sorted: Vec<&[u8]> = sorted_by_text(&frames)
            .into_iter()
            .map(|id| frames.get(id))
            .collect();
        let mut want: Vec<&[u8]> = texts.iter().map(|t| &t[..]).collect();
        want.sort();
        assert_eq!(sorted, want);
    }
}
