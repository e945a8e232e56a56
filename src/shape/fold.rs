//! Folding shaped samples as they come: one column of stacks (the folding of collapse.md,
//! unchanged), or for `--diff_base` the two columns `STACK BASE NEW` of a differential flame
//! graph.

use super::model::{Model, Sample};
use crate::collapse::{CollapseError, Collapser, Folded, Options, Prepared};
use crate::profile::build::{from_parts, LocationParts};
use crate::profile::{Profile, SampleRef};
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

    /// The number of lines.
    pub fn len(&self) -> usize {
        match self {
            Output::Single(f) => f.len(),
            Output::Diff(text) => text.iter().filter(|&&b| b == b'\n').count(),
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

/// The collapsers the shaped samples go to: one, or BASE and NEW for `--diff_base`.
pub struct Sink {
    /// The model's strings, header and (trimmed) locations, without samples.
    profile: Profile,
    columns: Vec<(Collapser, Prepared)>,
    diff: bool,
}

impl Sink {
    /// Collapsers for the model's locations as they are now (after the filters trimmed them).
    pub fn new(
        m: &Model,
        name: &str,
        options: &Options,
        diff: bool,
    ) -> Result<Sink, CollapseError> {
        let locations: Vec<LocationParts> = m
            .locations
            .iter()
            .map(|l| LocationParts {
                address: l.address,
                lines: l.lines.clone(),
            })
            .collect();
        let profile = from_parts(&m.strings, &m.header, &locations, std::iter::empty());
        let mut columns = Vec::new();
        for _ in 0..if diff { 2 } else { 1 } {
            let mut collapser = Collapser::new(options.clone());
            if let Some(prepared) = collapser.prepare(name, &profile)? {
                columns.push((collapser, prepared));
            }
        }
        Ok(Sink {
            profile,
            columns,
            diff,
        })
    }

    /// Folds one sample (into NEW or BASE with `--diff_base`).
    pub fn add(&mut self, s: &Sample) {
        let i = usize::from(self.diff && !s.base);
        if let Some((collapser, prepared)) = self.columns.get_mut(i) {
            let sample = SampleRef {
                locations: &s.locs,
                values: &s.values,
                labels: &s.labels,
            };
            collapser.add_sample(&self.profile, prepared, &sample);
        }
    }

    /// The folded output; `drop_negative` leaves out negative stacks (or, in two columns,
    /// stacks that shrank).
    pub fn finish(self, drop_negative: bool) -> Result<Output, CollapseError> {
        let mut folded = self.columns.into_iter().map(|(c, _)| c.finish());
        if !self.diff {
            let Some(mut folded) = folded.next() else {
                return Ok(Output::Diff(Vec::new()));
            };
            if drop_negative {
                folded.drop_negative();
            }
            return Ok(Output::Single(folded));
        }
        let mut text = || -> Result<Vec<u8>, CollapseError> {
            match folded.next() {
                Some(f) => Ok(f.write_to(Vec::new())?),
                None => Ok(Vec::new()),
            }
        };
        let (base, new) = (text()?, text()?);
        Ok(Output::Diff(join(&base, &new, drop_negative)))
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
    use std::cmp::Ordering;
    let mut out = Vec::new();
    let (mut b, mut n) = (lines(base).peekable(), lines(new).peekable());
    loop {
        let order = match (b.peek(), n.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(&(bs, _)), Some(&(ns, _))) => bs.cmp(ns),
        };
        let (stack, old, now) = match order {
            Ordering::Less => b.next().map(|(s, v)| (s, v, 0)),
            Ordering::Greater => n.next().map(|(s, v)| (s, 0, v)),
            Ordering::Equal => b.next().zip(n.next()).map(|((s, v), (_, w))| (s, v, w)),
        }
        .unwrap_or_default();
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
