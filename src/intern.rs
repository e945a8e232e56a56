//! The one open-addressing table of the crate ([`Slots`]) and the interner built on it
//! ([`Interner`]): every distinct item (a frame's bytes, a list of frame ids) is stored once,
//! back to back in one arena, and named by a `u32` id in the order items were first seen.
//!
//! Collapse interns frames and segments with it (and keys its stack sums with [`Slots`]);
//! flamegraph interns frame names.

use crate::hash::{finish, hash_bytes, hash_ids, load, mix, Hash, START};

/// The most entries that `slots` slots take: a load of at most 3/4.
#[inline]
fn room(slots: usize) -> usize {
    slots / 4 * 3
}

/// Open addressing (linear probing) over entry indices; the owner keeps the entries. Each
/// slot holds an entry's hash beside its index, so that a probe compares hashes without
/// touching the entries, and the table can grow without them.
#[derive(Default)]
pub struct Slots {
    /// `hash << 32 | (entry index + 1)`; 0 = empty.
    slots: Vec<u64>,
    /// A hash's first slot is its top bits: `hash >> shift`.
    shift: u32,
    /// Entries in the table.
    len: usize,
    /// Entries the table takes before it must grow.
    room: usize,
}

impl Slots {
    /// The entry with `hash` for which `eq` holds, or the empty slot where it belongs.
    #[inline]
    pub fn find(&self, hash: Hash, mut eq: impl FnMut(usize) -> bool) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        loop {
            match self.slots[i] {
                0 => return Err(i),
                slot => {
                    if (slot >> 32) as Hash == hash && eq((slot as u32 - 1) as usize) {
                        return Ok((slot as u32 - 1) as usize);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Puts `entry` (with `hash`) into the empty `slot` that [`Slots::find`] returned.
    #[inline]
    pub fn fill(&mut self, slot: usize, hash: Hash, entry: usize) {
        self.slots[slot] = u64::from(hash) << 32 | (entry as u64 + 1);
        self.len += 1;
    }

    /// The first slot to probe for `hash` (whose top bits are its best mixed, see
    /// [`crate::hash::finish`]).
    #[inline]
    fn home(&self, hash: Hash) -> usize {
        (u64::from(hash) >> self.shift) as usize
    }

    /// Makes room for one more entry.
    #[inline]
    pub fn reserve_one(&mut self) {
        if self.len >= self.room {
            self.grow();
        }
    }

    /// Sizes the table for `more` entries beyond those it has, at once.
    pub fn reserve(&mut self, more: usize) {
        let total = self.len.saturating_add(more);
        if total > self.room {
            let mut size = 1024;
            while total > room(size) {
                size *= 2;
            }
            self.rebuild(size);
        }
    }

    #[cold]
    fn grow(&mut self) {
        self.rebuild((self.slots.len() * 2).max(1024));
    }

    fn rebuild(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        self.shift = 32 - size.trailing_zeros();
        self.room = room(size);
        let mask = size - 1;
        for slot in old.into_iter().filter(|&s| s != 0) {
            let mut i = self.home((slot >> 32) as Hash);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }
}

/// What an [`Interner`] can hold: items hashed and compared as slices.
pub trait Item: Copy + Eq {
    /// The hash of a slice of items.
    fn hash(items: &[Self]) -> Hash;
    /// Equality of two slices.
    fn same(a: &[Self], b: &[Self]) -> bool;
}

impl Item for u8 {
    #[inline]
    fn hash(items: &[u8]) -> Hash {
        hash_bytes(items)
    }

    /// Inlined word compares for short byte strings (most frame names) instead of a call to
    /// `memcmp`.
    #[inline]
    fn same(a: &[u8], b: &[u8]) -> bool {
        let len = a.len();
        if len != b.len() {
            false
        } else if len <= 8 {
            load(a) == load(b)
        } else if len <= 16 {
            load(a) == load(b) && load(&a[len - 8..]) == load(&b[len - 8..])
        } else if len <= 32 {
            load(a) == load(b)
                && load(&a[8..]) == load(&b[8..])
                && load(&a[16..]) == load(&b[16..])
                && load(&a[len - 8..]) == load(&b[len - 8..])
        } else {
            a == b
        }
    }
}

impl Item for u32 {
    #[inline]
    fn hash(items: &[u32]) -> Hash {
        hash_ids(items)
    }

    #[inline]
    fn same(a: &[u32], b: &[u32]) -> bool {
        a == b
    }
}

/// Distinct slices of items stored back to back, each named by its id (0, 1, 2, ... in the
/// order they were first interned).
pub struct Interner<T> {
    items: Vec<T>,
    /// Where each slice starts in `items`, and the end of the last one.
    starts: Vec<usize>,
    slots: Slots,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            items: Vec::new(),
            starts: vec![0],
            slots: Slots::default(),
        }
    }
}

impl<T: Item> Interner<T> {
    /// The items of `id`.
    #[inline]
    pub fn get(&self, id: u32) -> &[T] {
        let (start, end) = self.range(id);
        &self.items[start..end]
    }

    /// Where the items of `id` are in [`Interner::items`].
    #[inline]
    pub fn range(&self, id: u32) -> (usize, usize) {
        let i = id as usize;
        (self.starts[i], self.starts[i + 1])
    }

    /// All items, back to back in id order.
    #[inline]
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The number of distinct slices.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Frees the hash index once nothing is interned any more ([`Interner::get`] still works).
    pub fn drop_index(&mut self) {
        self.slots = Slots::default();
    }

    /// Makes room for `more` entries of `items` items in all.
    pub fn reserve(&mut self, more: usize, items: usize) {
        self.items.reserve(items);
        self.starts.reserve(more);
        self.slots.reserve(more);
    }

    /// Forgets the slices from id `len` on (the fleet merge undoes a part that failed half
    /// way); the index is rebuilt from the slices that stay.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        self.items.truncate(self.starts[len]);
        self.starts.truncate(len + 1);
        let mut slots = Slots::default();
        slots.reserve(len);
        for id in 0..len {
            let hash = T::hash(self.get(id as u32));
            if let Err(slot) = slots.find(hash, |_| false) {
                slots.fill(slot, hash, id);
            }
        }
        self.slots = slots;
    }

    /// The id of `item`, adding it when new.
    #[inline]
    pub fn intern(&mut self, item: &[T]) -> u32 {
        self.intern_hashed(item, T::hash(item))
    }

    /// [`Interner::intern`] with the hash already computed (it must be `T::hash(item)`).
    #[inline]
    fn intern_hashed(&mut self, item: &[T], hash: Hash) -> u32 {
        self.slots.reserve_one();
        let found = self.slots.find(hash, |e| {
            let (start, end) = self.range(e as u32);
            T::same(&self.items[start..end], item)
        });
        match found {
            Ok(entry) => entry as u32,
            Err(slot) => {
                let id = self.len();
                self.items.extend_from_slice(item);
                self.starts.push(self.items.len());
                self.slots.fill(slot, hash, id);
                id as u32
            }
        }
    }
}

const SEMICOLONS: u64 = 0x3b3b_3b3b_3b3b_3b3b;
const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

impl Interner<u8> {
    /// Splits `text` at every `;` and appends the id of each field to `out` (an empty text
    /// has no field). Splitting and hashing share one pass over the bytes, eight at a time.
    pub fn intern_split(&mut self, text: &[u8], out: &mut Vec<u32>) {
        if text.is_empty() {
            return;
        }
        let mut start = 0;
        let mut at = 0;
        let mut hash = START;
        loop {
            let word = load(&text[at..]);
            let valid = (text.len() - at).min(8);
            let x = word ^ SEMICOLONS;
            let mut found = x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS;
            if valid < 8 {
                found &= (1u64 << (valid * 8)) - 1;
            }
            if found == 0 {
                // no `;` in this word: it all belongs to the field
                hash = mix(hash, word);
                if valid < 8 {
                    // the last field ends with the text
                    let field = &text[start..];
                    out.push(self.intern_hashed(field, finish(hash, field.len())));
                    return;
                }
                at += 8;
                if at == text.len() {
                    let field = &text[start..];
                    out.push(self.intern_hashed(field, finish(hash, field.len())));
                    return;
                }
                continue;
            }
            let offset = (found.trailing_zeros() / 8) as usize;
            if offset > 0 {
                hash = mix(hash, word & ((1u64 << (offset * 8)) - 1));
            }
            let end = at + offset;
            let field = &text[start..end];
            out.push(self.intern_hashed(field, finish(hash, field.len())));
            start = end + 1;
            at = start;
            hash = START;
            if start == text.len() {
                // a trailing `;`: one last, empty field
                out.push(self.intern_hashed(b"", finish(hash, 0)));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<String> {
        let mut names = Interner::default();
        let mut ids = Vec::new();
        names.intern_split(text.as_bytes(), &mut ids);
        ids.iter()
            .map(|&id| String::from_utf8(names.get(id).to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn split_matches_str_split() {
        for text in [
            "a",
            "a;b",
            ";x",
            "a;;b",
            "x;",
            "abcdefgh;abcdefgh",
            "abcdefg;abcdefghi;j",
            "0123456789abcdef0123456789;;é;日本語;;;;;;;;;;;;",
            "12345678",
            ";",
        ] {
            let expected: Vec<String> = text.split(';').map(str::to_owned).collect();
            assert_eq!(split(text), expected, "{text:?}");
        }
        assert!(split("").is_empty());
    }

    #[test]
    fn split_hashes_like_intern_whatever_the_alignment() {
        let mut names = Interner::default();
        let mut ids = Vec::new();
        names.intern_split(b"x;runtime.mallocgc;ab;runtime.mallocgc;", &mut ids);
        names.intern_split(b"runtime.mallocgc", &mut ids);
        let direct = names.intern(b"runtime.mallocgc");
        assert_eq!([ids[1], ids[3], ids[5]], [direct; 3]);
        assert_eq!(names.intern(b""), ids[4]);
        assert_eq!(names.intern(b"ab"), ids[2]);
        for i in 0..5000 {
            let name = format!("name{i}");
            let id = names.intern(name.as_bytes());
            assert_eq!(names.get(id), name.as_bytes());
        }
        assert_eq!(names.len(), 5004);
    }

    #[test]
    fn lists_of_ids_are_interned_once() {
        let mut lists = Interner::default();
        let a = lists.intern(&[1u32, 2, 3]);
        let b = lists.intern(&[1u32, 2]);
        assert_eq!((a, b), (0, 1));
        assert_eq!(lists.intern(&[1, 2, 3]), a);
        lists.reserve(10_000, 30_000);
        assert_eq!(lists.intern(&[1, 2]), b);
        assert_eq!(lists.get(a), [1, 2, 3]);
        assert_eq!(lists.range(b), (3, 5));
    }

    #[test]
    fn truncate_forgets_the_last_slices_and_keeps_the_others() {
        let mut names: Interner<u8> = Interner::default();
        for name in ["a", "bb", "ccc", "dddd"] {
            names.intern(name.as_bytes());
        }
        names.truncate(2);
        assert_eq!(names.len(), 2);
        assert_eq!(names.intern(b"bb"), 1);
        assert_eq!(names.intern(b"dddd"), 2, "a forgotten slice is new again");
        assert_eq!(names.get(2), b"dddd");
        names.truncate(0);
        assert!(names.is_empty());
        assert_eq!(names.intern(b"a"), 0);
    }
}
