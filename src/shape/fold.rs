//! Folding shaped samples as they come: one column of stacks (the folding of `crate::collapse`,
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
    /// `STACK BASE NEW` lines, joined from the two columns' stacks as they are written.
    Diff {
        /// The base's stacks.
        base: Folded,
        /// The input's stacks (boxed: the two variants stay about one size).
        new: Box<Folded>,
        /// Leave out the stacks that shrank.
        drop_negative: bool,
    },
}

impl Output {
    /// True when there is no line to print.
    pub fn is_empty(&self) -> bool {
        match self {
            Output::Single(f) => f.is_empty(),
            Output::Diff { .. } => {
                let mut any = false;
                self.for_each_diff_line(|_, _, _| {
                    any = true;
                    false
                });
                !any
            }
        }
    }

    /// The number of lines (for two columns: a pass over them all).
    pub fn len(&self) -> usize {
        match self {
            Output::Single(f) => f.len(),
            Output::Diff { .. } => {
                let mut n = 0;
                self.for_each_diff_line(|_, _, _| {
                    n += 1;
                    true
                });
                n
            }
        }
    }

    /// Writes the lines.
    pub fn write_to<W: Write>(&self, out: W) -> io::Result<W> {
        match self {
            Output::Single(f) => f.write_to(out),
            Output::Diff { .. } => {
                let mut out = io::BufWriter::with_capacity(1 << 16, out);
                let mut result = Ok(());
                self.for_each_diff_line(|stack, old, now| {
                    result = out
                        .write_all(stack)
                        .and_then(|()| writeln!(out, " {old} {now}"));
                    result.is_ok()
                });
                result?;
                out.into_inner().map_err(io::IntoInnerError::into_error)
            }
        }
    }

    /// Calls `f(stack, base, new)` for every two-column line in order, while it returns true.
    fn for_each_diff_line(&self, mut f: impl FnMut(&[u8], i128, i128) -> bool) {
        use std::cmp::Ordering;
        let Output::Diff {
            base,
            new,
            drop_negative,
        } = self
        else {
            return;
        };
        let (mut b, mut n) = (base.lines(), new.lines());
        let (mut more_b, mut more_n) = (b.advance(), n.advance());
        while more_b || more_n {
            let order = match (more_b, more_n) {
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                _ => b.stack().cmp(n.stack()),
            };
            let (stack, old, now) = match order {
                Ordering::Less => (b.stack(), b.sum(), 0),
                Ordering::Greater => (n.stack(), 0, n.sum()),
                Ordering::Equal => (b.stack(), b.sum(), n.sum()),
            };
            let keep = (old != 0 || now != 0) && !(*drop_negative && now - old < 0);
            if keep && !f(stack, old, now) {
                return;
            }
            if order != Ordering::Greater {
                more_b = b.advance();
            }
            if order != Ordering::Less {
                more_n = n.advance();
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
                root: s.root,
            };
            collapser.add_sample(&self.profile, prepared, &sample);
        }
    }

    /// The folded output; `drop_negative` leaves out negative stacks (or, in two columns,
    /// stacks that shrank).
    pub fn finish(self, drop_negative: bool) -> Output {
        let mut folded = self.columns.into_iter().map(|(c, _)| c.finish());
        let mut next = || {
            folded
                .next()
                .unwrap_or_else(|| Collapser::new(Options::default()).finish())
        };
        if !self.diff {
            let mut single = next();
            if drop_negative {
                single.drop_negative();
            }
            return Output::Single(single);
        }
        let (base, new) = (next(), Box::new(next()));
        Output::Diff {
            base,
            new,
            drop_negative,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Output;
    use crate::collapse::{Collapser, Folded, Options};
    use crate::profile::parse_profile;

    fn folded(text: &str) -> Folded {
        // A -raw text whose samples fold to the given single-frame stacks.
        let mut raw = String::from("Samples:\nsamples/count\n");
        let mut locations = String::from("Locations\n");
        for (i, line) in text.lines().enumerate() {
            let (stack, value) = line.rsplit_once(' ').unwrap();
            raw.push_str(&format!("{value}: {}\n", i + 1));
            locations.push_str(&format!("{}: 0x{:x} {stack} f.go:1 s=0\n", i + 1, i + 1));
        }
        let profile = parse_profile((raw + &locations + "Mappings\n").into_bytes()).unwrap();
        let mut c = Collapser::new(Options::default());
        c.add("t", &profile).unwrap();
        c.finish()
    }

    #[test]
    fn joins_two_sorted_columns() {
        let diff = |drop_negative| Output::Diff {
            base: folded("a 3\nc 1\n"),
            new: Box::new(folded("a 5\nb 2\n")),
            drop_negative,
        };
        assert_eq!(
            diff(false).write_to(Vec::new()).unwrap(),
            b"a 3 5\nb 0 2\nc 1 0\n"
        );
        assert_eq!(diff(true).write_to(Vec::new()).unwrap(), b"a 3 5\nb 0 2\n");
        assert_eq!((diff(false).len(), diff(true).is_empty()), (3, false));
    }
}
