//! A fast, non-cryptographic hasher for the merge's tables. Their keys come from the profiles
//! being merged, which are trusted as much as their bytes are (a crafted profile can only make
//! its own merge slower); SipHash, the standard library's default, cost a sixth of the merge.

use std::hash::{BuildHasherDefault, Hasher};

/// Hash maps and sets keyed with [`FastHasher`].
pub(super) type FastMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FastHasher>>;
/// See [`FastMap`].
pub(super) type FastSet<K> = std::collections::HashSet<K, BuildHasherDefault<FastHasher>>;

/// Multiply-and-rotate over 8-byte words, with a final mix so that the low bits (which pick a
/// bucket) depend on every input bit.
#[derive(Default, Clone, Copy)]
pub(super) struct FastHasher {
    state: u64,
}

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.state = (self.state.rotate_left(5) ^ word).wrapping_mul(K);
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
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn write_i64(&mut self, n: i64) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.state;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

/// The hash of a byte string.
#[inline]
pub(super) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = FastHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_trailing_zeros_are_told_apart() {
        let hashes: FastSet<u64> = [
            &b""[..],
            b"\0",
            b"\0\0",
            b"a",
            b"a\0",
            b"12345678",
            b"12345678\0",
        ]
        .iter()
        .map(|b| hash_bytes(b))
        .collect();
        assert_eq!(hashes.len(), 7);
    }
}
