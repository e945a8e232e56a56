//! Frame-name interning: every distinct name is stored once and referred to by a `u32` id.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast, non-cryptographic hasher (multiply-rotate over 8-byte words).
///
/// The keys are frame names from the input; hash flooding is not a concern for a batch tool.
#[derive(Default, Clone, Copy)]
pub struct FastHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` using [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Interned frame names. Id 0 is always the empty name (the root's).
///
/// Names live in one text arena; a power-of-two open-addressing table maps a 64-bit hash of
/// the name bytes to ids. [`Interner::intern_split`] splits a stack at `;` and hashes each
/// frame in the same pass, eight bytes at a time.
pub struct Interner {
    text: String,
    spans: Vec<(usize, usize)>,
    table: Vec<Slot>,
    shift: u32,
}

/// One table slot: the name's hash, where its bytes are in the arena, and its id.
#[derive(Clone, Copy)]
struct Slot {
    hash: u64,
    start: usize,
    len: u32,
    id: u32,
}

const EMPTY_SLOT: Slot = Slot {
    hash: 0,
    start: 0,
    len: 0,
    id: VACANT,
};

const VACANT: u32 = u32::MAX;
const HASH_SEED: u64 = 0x2545_f491_4f6c_dd1d;
const SEMICOLONS: u64 = 0x3b3b_3b3b_3b3b_3b3b;
const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

#[inline]
fn mix(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(5) ^ word).wrapping_mul(SEED)
}

#[inline]
fn finish(hash: u64, len: usize) -> u64 {
    mix(hash, len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Little-endian word of up to 8 bytes, zero-padded.
#[inline]
fn load(bytes: &[u8]) -> u64 {
    if bytes.len() >= 8 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[..8]);
        u64::from_le_bytes(word)
    } else {
        let mut word = [0u8; 8];
        word[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(word)
    }
}

/// Equality of two byte strings of the same length, inlined word compares for short ones
/// (most frame names) instead of a call to `memcmp`.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    if len <= 8 {
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

/// The hash of a name, as [`Interner::intern_split`] computes it while splitting.
#[inline]
pub fn hash_name(bytes: &[u8]) -> u64 {
    let mut hash = HASH_SEED;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        hash = mix(hash, load(chunk));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        hash = mix(hash, load(rest));
    }
    finish(hash, bytes.len())
}

impl Default for Interner {
    fn default() -> Self {
        Interner::new()
    }
}

impl Interner {
    /// An interner holding only the empty name, as id 0.
    pub fn new() -> Self {
        let mut interner = Interner {
            text: String::new(),
            spans: Vec::new(),
            table: vec![EMPTY_SLOT; 1024],
            shift: 64 - 10,
        };
        interner.intern("");
        interner
    }

    /// The id of `name`, adding it when new.
    #[inline]
    pub fn intern(&mut self, name: &str) -> u32 {
        self.intern_hashed(name, hash_name(name.as_bytes()))
    }

    #[inline]
    fn intern_hashed(&mut self, name: &str, hash: u64) -> u32 {
        let mask = self.table.len() - 1;
        let mut slot = (hash >> self.shift) as usize;
        let bytes = name.as_bytes();
        loop {
            let entry = self.table[slot];
            if entry.id == VACANT {
                break;
            }
            if entry.hash == hash
                && entry.len as usize == bytes.len()
                && same_bytes(
                    &self.text.as_bytes()[entry.start..entry.start + bytes.len()],
                    bytes,
                )
            {
                return entry.id;
            }
            slot = (slot + 1) & mask;
        }
        let id = u32::try_from(self.spans.len()).unwrap_or(VACANT - 1);
        let start = self.text.len();
        self.text.push_str(name);
        self.spans.push((start, name.len()));
        self.table[slot] = Slot {
            hash,
            start,
            len: u32::try_from(name.len()).unwrap_or(u32::MAX),
            id,
        };
        if self.spans.len() * 2 > self.table.len() {
            self.grow();
        }
        id
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        self.shift -= 1;
        let mask = size - 1;
        let mut table = vec![EMPTY_SLOT; size];
        for entry in self.table.iter().filter(|e| e.id != VACANT) {
            let mut slot = (entry.hash >> self.shift) as usize;
            while table[slot].id != VACANT {
                slot = (slot + 1) & mask;
            }
            table[slot] = *entry;
        }
        self.table = table;
    }

    /// Splits `stack` at every `;` and appends the id of each field to `out` (an empty stack
    /// has no field). Splitting and hashing share one pass over the bytes.
    pub fn intern_split(&mut self, stack: &str, out: &mut Vec<u32>) {
        if stack.is_empty() {
            return;
        }
        let bytes = stack.as_bytes();
        let mut start = 0;
        let mut at = 0;
        let mut hash = HASH_SEED;
        loop {
            let word = load(&bytes[at..]);
            let valid = (bytes.len() - at).min(8);
            let x = word ^ SEMICOLONS;
            let mut found = x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS;
            if valid < 8 {
                found &= (1u64 << (valid * 8)) - 1;
            }
            if found == 0 {
                if valid < 8 {
                    // the last field ends with the stack
                    hash = mix(hash, word);
                    let name = &stack[start..];
                    out.push(self.intern_hashed(name, finish(hash, name.len())));
                    return;
                }
                hash = mix(hash, word);
                at += 8;
                if at == bytes.len() {
                    let name = &stack[start..];
                    out.push(self.intern_hashed(name, finish(hash, name.len())));
                    return;
                }
                continue;
            }
            let offset = (found.trailing_zeros() / 8) as usize;
            if offset > 0 {
                hash = mix(hash, word & ((1u64 << (offset * 8)) - 1));
            }
            let end = at + offset;
            let name = &stack[start..end];
            out.push(self.intern_hashed(name, finish(hash, name.len())));
            start = end + 1;
            at = start;
            hash = HASH_SEED;
            if start == bytes.len() {
                // a trailing `;`: one last, empty field
                out.push(self.intern_hashed("", finish(hash, 0)));
                return;
            }
        }
    }

    /// The name of an id.
    #[inline]
    pub fn name(&self, id: u32) -> &str {
        let (start, len) = self.spans[id as usize];
        &self.text[start..start + len]
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when no name is interned (never the case after [`Interner::new`]).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// For every id, its position in the bytewise order of all names.
    pub fn byte_ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.spans.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.name(a).as_bytes().cmp(self.name(b).as_bytes()));
        let mut ranks = vec![0; order.len()];
        for (rank, id) in order.into_iter().enumerate() {
            ranks[id as usize] = rank as u32;
        }
        ranks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(stack: &str) -> Vec<String> {
        let mut names = Interner::new();
        let mut ids = Vec::new();
        names.intern_split(stack, &mut ids);
        ids.iter().map(|&id| names.name(id).to_owned()).collect()
    }

    #[test]
    fn split_matches_str_split() {
        for stack in [
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
            let expected: Vec<String> = stack.split(';').map(str::to_owned).collect();
            assert_eq!(split(stack), expected, "{stack:?}");
        }
        assert!(split("").is_empty());
    }

    #[test]
    fn same_name_same_id_whatever_the_alignment() {
        let mut names = Interner::new();
        let mut ids = Vec::new();
        names.intern_split("x;runtime.mallocgc;ab;runtime.mallocgc", &mut ids);
        names.intern_split("runtime.mallocgc", &mut ids);
        let direct = names.intern("runtime.mallocgc");
        assert_eq!(ids[1], direct);
        assert_eq!(ids[3], direct);
        assert_eq!(ids[4], direct);
        assert_eq!(names.intern(""), 0);
        for i in 0..5000 {
            let name = format!("name{i}");
            let id = names.intern(&name);
            assert_eq!(names.name(id), name);
        }
        assert_eq!(names.intern("ab"), ids[2]);
    }
}
