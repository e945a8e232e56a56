//! Frame names as `u32` ids: the crate's [`crate::intern::Interner`] over the names' bytes,
//! with id 0 reserved for the root's empty name and the bytewise ranks the merge sorts by.

use crate::intern::Interner as Arena;

/// Interned frame names. Id 0 is always the empty name (the root's).
///
/// [`Interner::intern_split`] splits a stack at `;` and hashes each frame in the same pass.
pub struct Interner {
    names: Arena<u8>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner::new()
    }
}

impl Interner {
    /// An interner holding only the empty name, as id 0.
    pub fn new() -> Self {
        let mut names = Arena::default();
        names.intern(b"");
        Interner { names }
    }

    /// The id of `name`, adding it when new.
    #[inline]
    pub fn intern(&mut self, name: &str) -> u32 {
        self.names.intern(name.as_bytes())
    }

    /// Splits `stack` at every `;` and appends the id of each field to `out` (an empty stack
    /// has no field). Splitting and hashing share one pass over the bytes.
    #[inline]
    pub fn intern_split(&mut self, stack: &str, out: &mut Vec<u32>) {
        self.names.intern_split(stack.as_bytes(), out);
    }

    /// The name of an id.
    #[inline]
    pub fn name(&self, id: u32) -> &str {
        // Only `&str`s go in, split at the ASCII `;`: every name is UTF-8.
        std::str::from_utf8(self.names.get(id)).unwrap_or_default()
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no name is interned (never the case after [`Interner::new`]).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// For every id, its position in the bytewise order of all names.
    pub fn byte_ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.names.get(a).cmp(self.names.get(b)));
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
    use crate::folded::frame_text;

    /// The frames of a stack as the merge sees them: `frame_text` then `intern_split`.
    fn frames(stack: &str, reverse: bool) -> Vec<String> {
        let mut names = Interner::new();
        let mut ids = Vec::new();
        names.intern_split(frame_text(stack, reverse), &mut ids);
        if reverse {
            ids.reverse();
        }
        ids.iter().map(|&id| names.name(id).to_owned()).collect()
    }

    #[test]
    fn splits_frames() {
        assert_eq!(frames("a;b;", false), ["a", "b"]);
        assert_eq!(frames(";x", false), ["", "x"]);
        assert_eq!(frames("a;;b", false), ["a", "", "b"]);
        assert_eq!(frames(";x", true), ["x"]);
        assert_eq!(frames("a;b;c", true), ["c", "b", "a"]);
        assert!(frames(";;", false).is_empty());
        assert!(frames("", true).is_empty());
    }

    #[test]
    fn empty_name_is_id_0_and_names_round_trip() {
        let mut names = Interner::new();
        assert_eq!(names.intern(""), 0);
        let mut ids = Vec::new();
        names.intern_split("main;é;日本語", &mut ids);
        assert_eq!(names.name(ids[2]), "日本語");
        assert_eq!(names.byte_ranks()[0], 0);
        assert_eq!(names.len(), 4);
    }
}
