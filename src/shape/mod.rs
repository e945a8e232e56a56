//! Sample shaping: go tool pprof's filters (`--focus`, `--ignore`, `--hide`, `--show`,
//! `--show_from`, `--prune_from`, tag filters), base profiles (`--base`, `--diff_base`,
//! `--normalize`) and `--drop_negative`, with pprof's semantics (docs/pprof-collapse.md,
//! "Filters and comparisons").
//!
//! [`Filters::compile`] checks every regexp before anything is read; [`shape`] takes the
//! decoded inputs and base and returns the [`Shaped`] profile, which folds into one column of
//! stacks or the two columns of a differential flame graph ([`Shaped::fold`]).

mod filter;
mod fold;
mod model;
mod re2;
mod tags;
pub mod units;

pub use fold::Output;

use crate::collapse::{CollapseError, Options};
use crate::profile::{Profile, ProfileError};
use filter::Plan;
use model::{Sample, Stop};
use regex::Regex;
use tags::TagFilter;

/// What can go wrong while shaping. The messages are the spec's, without the
/// `pprof-collapse:` prefix.
#[derive(Debug, thiserror::Error)]
pub enum ShapeError {
    /// A regexp that does not compile.
    #[error("parsing {option} regexp: {reason}")]
    Regexp {
        /// pprof's option name (`focus`, `show_from`, ...).
        option: &'static str,
        /// The regexp engine's explanation, on one line.
        reason: String,
    },
    /// A tag filter number that does not fit 64 bits.
    #[error("parsing {option}: number out of range: {digits}")]
    NumberRange {
        /// pprof's option name.
        option: &'static str,
        /// The digits, with their sign.
        digits: String,
    },
    /// A base (or a further input) that cannot be combined with the input.
    #[error("{other}: incompatible with {input}: {detail}")]
    Incompatible {
        /// The base or further input, as named on the command line.
        other: String,
        /// The input it is compared with.
        input: String,
        /// `sample types A vs B` or `period type A vs B`.
        detail: String,
    },
    /// The folding of the shaped profile failed (e.g. `-i` names no column).
    #[error("{name}: {source}")]
    Collapse {
        /// The input as named.
        name: String,
        /// What is wrong.
        source: CollapseError,
    },
    /// An input whose samples cannot be read.
    #[error("{name}: {source}")]
    Input {
        /// The input as named.
        name: String,
        /// What is wrong.
        source: ProfileError,
    },
}

/// The shaping options as given on the command line (regexps and tag filters as text).
#[derive(Clone, Debug, Default)]
pub struct ShapeSpec {
    /// `--focus RE`.
    pub focus: Option<String>,
    /// `--ignore RE`.
    pub ignore: Option<String>,
    /// `--hide RE`.
    pub hide: Option<String>,
    /// `--show RE`.
    pub show: Option<String>,
    /// `--show_from RE`.
    pub show_from: Option<String>,
    /// `--prune_from RE`.
    pub prune_from: Option<String>,
    /// `--tagfocus FILTER`.
    pub tagfocus: Option<String>,
    /// `--tagignore FILTER`.
    pub tagignore: Option<String>,
    /// `--tagshow RE`.
    pub tagshow: Option<String>,
    /// `--taghide RE`.
    pub taghide: Option<String>,
    /// `--normalize`.
    pub normalize: bool,
    /// `--drop_negative`.
    pub drop_negative: bool,
}

/// How the base profile is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseMode {
    /// `--base`: subtracted from the input.
    Subtract,
    /// `--diff_base`: compared with the input, in two columns.
    Diff,
}

/// The compiled options.
#[derive(Debug, Default)]
pub struct Filters {
    focus: Option<Regex>,
    ignore: Option<Regex>,
    hide: Option<Regex>,
    show: Option<Regex>,
    show_from: Option<Regex>,
    prune_from: Option<Regex>,
    tagfocus: Option<TagFilter>,
    tagignore: Option<TagFilter>,
    tagshow: Option<Regex>,
    taghide: Option<Regex>,
    normalize: bool,
    drop_negative: bool,
}

/// Compiles a regexp of option `option`: one-line errors; the empty regexp is no filter.
fn compile_regex(option: &'static str, text: &str) -> Result<Regex, ShapeError> {
    // RE2 reads `\123` as an octal character code, as `octal(true)` makes the crate do.
    let pattern = re2::expand_quotes(text);
    let regex = regex::RegexBuilder::new(&pattern).octal(true).build();
    regex.map_err(|e| ShapeError::Regexp {
        option,
        reason: one_line(&e, text),
    })
}

/// The regex crate's explanation (several lines with a caret) as one line.
fn one_line(error: &regex::Error, pattern: &str) -> String {
    let text = error.to_string();
    let reason = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid regexp")
        .trim();
    let reason = reason.strip_prefix("error: ").unwrap_or(reason);
    let shown: String = pattern
        .chars()
        .map(|c| match c {
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("{reason}: `{shown}`")
}

fn regex_option(option: &'static str, text: &Option<String>) -> Result<Option<Regex>, ShapeError> {
    match text.as_deref() {
        None | Some("") => Ok(None),
        Some(t) => compile_regex(option, t).map(Some),
    }
}

fn tag_option(
    option: &'static str,
    text: &Option<String>,
) -> Result<Option<TagFilter>, ShapeError> {
    match text.as_deref() {
        None => Ok(None),
        Some(t) => TagFilter::parse(option, t),
    }
}

impl Filters {
    /// True when a tag filter compares numbers, which needs the units of numeric labels.
    fn needs_units(&self) -> bool {
        let numeric = |t: &Option<TagFilter>| t.as_ref().is_some_and(TagFilter::is_numeric);
        numeric(&self.tagfocus) || numeric(&self.tagignore)
    }

    /// Compiles every regexp and tag filter, in pprof's order (the first bad one is the
    /// error): focus, ignore, hide, show, show_from, tagfocus, tagignore, prune_from, tagshow,
    /// taghide.
    pub fn compile(spec: &ShapeSpec) -> Result<Filters, ShapeError> {
        let focus = regex_option("focus", &spec.focus)?;
        let ignore = regex_option("ignore", &spec.ignore)?;
        let hide = regex_option("hide", &spec.hide)?;
        let show = regex_option("show", &spec.show)?;
        let show_from = regex_option("show_from", &spec.show_from)?;
        let tagfocus = tag_option("tagfocus", &spec.tagfocus)?;
        let tagignore = tag_option("tagignore", &spec.tagignore)?;
        let prune_from = regex_option("prune_from", &spec.prune_from)?;
        let tagshow = regex_option("tagshow", &spec.tagshow)?;
        let taghide = regex_option("taghide", &spec.taghide)?;
        Ok(Filters {
            focus,
            ignore,
            hide,
            show,
            show_from,
            prune_from,
            tagfocus,
            tagignore,
            tagshow,
            taghide,
            normalize: spec.normalize,
            drop_negative: spec.drop_negative,
        })
    }
}

/// One decoded profile and its name in messages.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// The name as given (`<stdin>` for stdin).
    pub name: &'a str,
    /// The profile.
    pub profile: &'a Profile,
}

/// The folded result of shaping, and the warnings shaping gave.
pub struct Shaped {
    /// The folded stacks.
    pub output: Output,
    /// pprof's "... expression matched no samples" warnings, in order (without the
    /// `pprof-collapse: warning:` prefix).
    pub warnings: Vec<String>,
}

/// Runs the pipeline and folds the result with `options` (column, labels, lines): combines
/// the inputs and the base (checking that they are compatible, normalizing, subtracting or
/// marking the base), merges samples, applies the filters in pprof's order.
///
/// Samples stream from the profiles into the folding, unless merging them can change what
/// is left (a subtraction, negative values): then they are merged in memory first.
pub fn shape(
    inputs: &[Input<'_>],
    base: Option<(Input<'_>, BaseMode)>,
    filters: &Filters,
    options: &Options,
) -> Result<Shaped, ShapeError> {
    let mut model = model::combine(inputs, base, filters.normalize)?;
    let profiles: Vec<Input<'_>> = inputs.iter().copied().chain(base.map(|b| b.0)).collect();
    let name = inputs.first().map_or("<stdin>", |i| i.name);
    let diff = matches!(base, Some((_, BaseMode::Diff)));
    let mut plan = Plan::new(&mut model, filters);
    let collapse_error = |source| ShapeError::Collapse {
        name: name.to_string(),
        source,
    };
    let mut sink = fold::Sink::new(&model, name, options, diff).map_err(collapse_error)?;
    let subtract = matches!(base, Some((_, BaseMode::Subtract)));
    if subtract || !stream(&model, &profiles, &mut plan, &mut sink, filters)? {
        plan.reset();
        sink = fold::Sink::new(&model, name, options, diff).map_err(collapse_error)?;
        let rows = model::Rows::merge(&model, &profiles).map_err(stop_error)?;
        let mut finder = model::UnitFinder::default();
        rows.for_each(|s| finder.add(&s.labels));
        let units = finder.finish(&model.strings);
        rows.for_each(|s| {
            if plan.apply(s, &model.strings, &units) {
                sink.add(s);
            }
        });
    }
    let output = sink.finish(filters.drop_negative);
    Ok(Shaped {
        output,
        warnings: plan.warnings(),
    })
}

/// The error of a walk over the samples that the callback did not stop.
fn stop_error(stop: Stop) -> ShapeError {
    match stop {
        Stop::Failed(e) => e,
        Stop::Profile(source) => ShapeError::Input {
            name: String::new(),
            source,
        },
        Stop::Asked => unreachable!("merging never stops its walk"),
    }
}

/// Streams every sample through `plan` into `sink`. False, with nothing usable done, when a
/// sample has a negative value: merging equal samples could then cancel them out, which
/// changes pprof's warnings and label units, so the samples are merged first instead.
fn stream(
    model: &model::Model,
    profiles: &[Input<'_>],
    plan: &mut Plan<'_>,
    sink: &mut fold::Sink,
    filters: &Filters,
) -> Result<bool, ShapeError> {
    let negative = |s: &Sample| s.values.iter().any(|&v| v < 0);
    let mut finder = model::UnitFinder::default();
    if filters.needs_units() {
        let walk = model.for_each_sample(profiles, |s| {
            finder.add(&s.labels);
            if negative(s) {
                Err(Stop::Asked)
            } else {
                Ok(())
            }
        });
        match walk {
            Err(Stop::Asked) => return Ok(false),
            other => other.map_err(stop_error)?,
        }
    }
    let units = finder.finish(&model.strings);
    let walk = model.for_each_sample(profiles, |s| {
        if negative(s) {
            return Err(Stop::Asked);
        }
        if plan.apply(s, &model.strings, &units) {
            sink.add(s);
        }
        Ok(())
    });
    match walk {
        Err(Stop::Asked) => Ok(false),
        other => other.map(|()| true).map_err(stop_error),
    }
}
