//! `--colors chain` (docs/flamegraph.md, "Merging"): the frames of a wakeup chain, after
//! the `--` separator, are renamed `NAME_[w]` so the chain palette draws them apart.

use super::color::Palette;
use super::intern::Interner;
use super::Options;

/// The `--colors chain` rewrite: in each merged stack, every frame after the first `--`
/// separator (not the first or last frame, not right after another separator) gets `_[w]`.
pub(crate) struct ChainRewriter {
    enabled: bool,
    separator: Option<u32>,
    waker_names: Vec<u32>,
    out: Vec<u32>,
}

impl ChainRewriter {
    /// A rewriter that rewrites only with `--colors chain`.
    pub(crate) fn new(opts: &Options) -> Self {
        ChainRewriter {
            enabled: opts.colors == Palette::Chain,
            separator: None,
            waker_names: Vec::new(),
            out: Vec::new(),
        }
    }

    /// `stack`, or its rewritten copy (new names interned in `names`).
    pub(crate) fn rewrite<'a>(&'a mut self, stack: &'a [u32], names: &mut Interner) -> &'a [u32] {
        if !self.enabled {
            return stack;
        }
        let sep = *self.separator.get_or_insert_with(|| names.intern("--"));
        let n = stack.len();
        let is_separator = |i: usize, previous_separator: bool| {
            stack[i] == sep && i > 0 && i + 1 < n && !previous_separator
        };
        let mut first = None;
        let mut previous = false;
        for i in 0..n {
            let s = is_separator(i, previous);
            if s && first.is_none() {
                first = Some(i);
            }
            previous = s;
        }
        let Some(first) = first else {
            return stack;
        };
        self.out.clear();
        self.out.extend_from_slice(&stack[..=first]);
        let mut previous = true;
        for (i, &frame) in stack.iter().enumerate().skip(first + 1) {
            let s = is_separator(i, previous);
            previous = s;
            let id = if s {
                frame
            } else {
                self.waker_name(frame, names)
            };
            self.out.push(id);
        }
        &self.out
    }

    fn waker_name(&mut self, id: u32, names: &mut Interner) -> u32 {
        let index = id as usize;
        if self.waker_names.len() <= index {
            self.waker_names.resize(index + 1, u32::MAX);
        }
        if self.waker_names[index] == u32::MAX {
            let renamed = format!("{}_[w]", names.name(id));
            self.waker_names[index] = names.intern(&renamed);
        }
        self.waker_names[index]
    }
}
