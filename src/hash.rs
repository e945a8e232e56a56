//! The one hash of the crate: a fast, non-cryptographic multiply-rotate mix over 8-byte words,
//! used by the interners of [`crate::intern`] (collapse and flamegraph) and by [`FastMap`].
//!
//! The keys are frame names and stacks from the input; hash flooding is not a concern for a
//! batch tool (the worst case of a bad input is a slower run, never a wrong result).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes as the interners keep them: 32 bits, enough to tell entries apart before comparing
/// them, and half the memory of 64.
pub type Hash = u32;

const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;
/// The state a hash starts from.
pub const START: u64 = 0x2545_f491_4f6c_dd1d;
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// One step of the mix: `word` into the state `hash`.
#[inline]
pub fn mix(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(5) ^ word).wrapping_mul(MULTIPLIER)
}

/// The last step: mixes in the length and folds the state to a [`Hash`] that depends on every
/// input bit.
#[inline]
pub fn finish(hash: u64, len: usize) -> Hash {
    (mix(hash, len as u64).wrapping_mul(GOLDEN) >> 32) as Hash
}

/// Little-endian word of the first (up to) 8 bytes, zero-padded.
#[inline]
pub fn load(bytes: &[u8]) -> u64 {
    // Two arrays, not one: the whole-word case then compiles to a single unaligned load.
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

/// The hash of a byte string: its 8-byte words (the last one zero-padded) and its length.
#[inline]
pub fn hash_bytes(bytes: &[u8]) -> Hash {
    let mut hash = START;
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

/// The hash of a list of ids.
#[inline]
pub fn hash_ids(ids: &[u32]) -> Hash {
    let mut hash = START;
    for &id in ids {
        hash = mix(hash, u64::from(id));
    }
    finish(hash, ids.len())
}

/// A [`Hasher`] over the same mix, for the few `HashMap`s keyed by ids.
#[derive(Default, Clone, Copy)]
pub struct FastHasher {
    hash: u64,
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            self.hash = mix(self.hash, load(chunk));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.hash = mix(self.hash, u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.hash = mix(self.hash, u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.hash = mix(self.hash, n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.hash = mix(self.hash, n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` using [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
