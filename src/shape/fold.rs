//! Folding a shaped profile: one column of stacks (collapse.md's folding, unchanged), or for
//! `--diff_base` the two columns `STACK BASE NEW` of a differential flame graph.

use super::model::{Model, Row};
use super::Shaped;
use crate::collapse::{CollapseError, Collapser, Folded, Options};
use crate::profile::build::{from_parts, LocationParts, SampleParts};
use crate::profile::Profile;
use std::io::{self, Write};

/// Folded stacks of a shaped profile.
pub enum Output {
    /// `STACK VALUE` lines.
    Single(Folded),
    /// `STACK BASE NEW` lines, already written out.
    Diff(Vec<u8>),
}

impl Output {
    /// True when there is no line to print.
    pub fn is_empty(&self) -> bool {
        match self {
            Output::Single(f) => f.is_empty(),
            Output::Diff(text) => text.is_empty(),
        }
    }

    /// The number of one-column stacks with a negative value (0 for two columns).
    pub fn negative_stacks(&self) -> usize {
        match self {
            Output::Single(f) => f.negative_count(),
            Output::Diff(_) => 0,
        }
    }

    /// Writes the lines.
    pub fn write_to<W: Write>(&self, mut out: W) -> io::Result<W> {
        match self {
            Output::Single(f) => f.write_to(out),
            Output::Diff(text) => {
                out.write_all(text)?;
                out.flush()?;
                Ok(out)
            }
        }
    }
}

/// The model as a [`Profile`] holding only the samples for which `keep` holds.
fn profile_of(m: &Model, keep: impl Fn(&Row) -> bool) -> Profile {
    let locations: Vec<LocationParts> = m
        .locations
        .iter()
        .map(|l| LocationParts {
            address: l.address,
            lines: l.lines.clone(),
        })
        .collect();
    let samples = m.rows.iter().filter(|r| keep(r)).map(|r| SampleParts {
        locations: &m.locs[r.locs.0..r.locs.1],
        values: m.row_values(r),
        labels: &m.labels[r.labels.0..r.labels.1],
    });
    from_parts(&m.strings, &m.header, &locations, samples)
}

fn fold_rows(
    m: &Model,
    name: &str,
    options: &Options,
    keep: impl Fn(&Row) -> bool,
) -> Result<Folded, CollapseError> {
    let profile = profile_of(m, keep);
    let mut collapser = Collapser::new(options.clone());
    collapser.add_owned(name, profile)?;
    Ok(collapser.finish())
}

impl Shaped {
    /// Folds the shaped profile with the folding options of collapse.md (column, labels,
    /// lines); `--drop_negative` leaves out negative stacks (or, in two columns, stacks that
    /// shrank).
    pub fn fold(&self, options: &Options) -> Result<Output, CollapseError> {
        if !self.diff {
            let mut folded = fold_rows(&self.model, &self.name, options, |_| true)?;
            if self.drop_negative {
                folded.drop_negative();
            }
            return Ok(Output::Single(folded));
        }
        let base = fold_rows(&self.model, &self.name, options, |r| r.base)?;
        let new = fold_rows(&self.model, &self.name, options, |r| !r.base)?;
        let (base, new) = (base.write_to(Vec::new())?, new.write_to(Vec::new())?);
        Ok(Output::Diff(join(&base, &new, self.drop_negative)))
    }
}

/// A folded line split into stack and value.
fn split(line: &[u8]) -> (&[u8], i128) {
    let at = line.iter().rposition(|&b| b == b' ').unwrap_or(0);
    let value = std::str::from_utf8(&line[at + 1..])
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (&line[..at], value)
}

fn lines(text: &[u8]) -> impl Iterator<Item = (&[u8], i128)> {
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(split)
}

/// Joins two sorted folded texts into `STACK BASE NEW` lines, sorted by stack.
fn join(base: &[u8], new: &[u8], drop_negative: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut b, mut n) = (lines(base).peekable(), lines(new).peekable());
    loop {
        let (stack, old, now) = match (b.peek(), n.peek()) {
            (None, None) => break,
            (Some(&(s, v)), None) => (b.next().map_or(s, |_| s), v, 0),
            (None, Some(&(s, v))) => (n.next().map_or(s, |_| s), 0, v),
            (Some(&(bs, bv)), Some(&(ns, nv))) => match bs.cmp(ns) {
                std::cmp::Ordering::Less => (b.next().map_or(bs, |_| bs), bv, 0),
                std::cmp::Ordering::Greater => (n.next().map_or(ns, |_| ns), 0, nv),
                std::cmp::Ordering::Equal => {
                    b.next();
                    n.next();
                    (bs, bv, nv)
                }
            },
        };
        if (old == 0 && now == 0) || (drop_negative && now - old < 0) {
            continue;
        }
        out.extend_from_slice(stack);
        out.extend_from_slice(format!(" {old} {now}\n").as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_two_sorted_texts() {
        let base = b"a;b 3\na;c 1\n";
        let new = b"a;b 5\nb 2\n";
        assert_eq!(join(base, new, false), b"a;b 3 5\na;c 1 0\nb 0 2\n");
        assert_eq!(join(base, new, true), b"a;b 3 5\nb 0 2\n");
    }
}
