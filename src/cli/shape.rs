//! `pprof-collapse`'s sample-shaping options (go tool pprof's names): a clap `Args` struct, so
//! the command line takes them in one piece (`ShapeArgs::augment_args`, or a flattened field).

use crate::shape::{BaseMode, ShapeSpec};
use clap::Args;

// Filters, base profiles and the differential output (docs/pprof-collapse.md, "Filters and
// comparisons"). Not a doc comment on purpose: clap would make it the about text of the whole
// command that these arguments are added to.
#[allow(missing_docs)]
#[derive(Args, Clone, Debug, Default)]
#[command(next_help_heading = "Filters and comparisons (go tool pprof's)")]
pub struct ShapeArgs {
    /// Keep only samples with a frame that matches RE
    #[arg(
        long,
        value_name = "RE",
        allow_hyphen_values = true,
        overrides_with = "focus"
    )]
    pub focus: Option<String>,
    /// Drop samples with a frame that matches RE
    #[arg(
        long,
        value_name = "RE",
        allow_hyphen_values = true,
        overrides_with = "ignore"
    )]
    pub ignore: Option<String>,
    /// Remove the frames that match RE from the stacks
    #[arg(
        long,
        value_name = "RE",
        allow_hyphen_values = true,
        overrides_with = "hide"
    )]
    pub hide: Option<String>,
    /// Keep only the frames that match RE in the stacks
    #[arg(
        long,
        value_name = "RE",
        allow_hyphen_values = true,
        overrides_with = "show"
    )]
    pub show: Option<String>,
    /// Start every stack at its root-most frame that matches RE (drop samples without one)
    #[arg(
        long = "show_from",
        visible_alias = "show-from",
        value_name = "RE",
        allow_hyphen_values = true,
        overrides_with = "show_from"
    )]
    pub show_from: Option<String>,
    /// End every stack at its leaf-most function that matches RE (names simplified: `main.(*T).M` is `main.`)
    #[arg(
        long = "prune_from",
        visible_alias = "prune-from",
        value_name = "RE",
        allow_hyphen_values = true,
        overrides_with = "prune_from"
    )]
    pub prune_from: Option<String>,
    /// Keep only samples whose labels match: `key=RE1,RE2` (any), `RE1,RE2` on `key:value` (all), or numbers with units: `bytes=64kb:`, `delay=1ms:1s`
    #[arg(
        long,
        value_name = "FILTER",
        allow_hyphen_values = true,
        overrides_with = "tagfocus"
    )]
    pub tagfocus: Option<String>,
    /// Drop samples whose labels match (the forms of --tagfocus)
    #[arg(
        long,
        value_name = "FILTER",
        allow_hyphen_values = true,
        overrides_with = "tagignore"
    )]
    pub tagignore: Option<String>,
    /// Keep only the label keys that match RE (for --labels, --tag-root, --tag-leaf)
    #[arg(
        long,
        value_name = "RE",
        allow_hyphen_values = true,
        overrides_with = "tagshow"
    )]
    pub tagshow: Option<String>,
    /// Remove the label keys that match RE
    #[arg(
        long,
        value_name = "RE",
        allow_hyphen_values = true,
        overrides_with = "taghide"
    )]
    pub taghide: Option<String>,
    /// Subtract the profile FILE from the input (one column: new - base)
    #[arg(long, value_name = "FILE", overrides_with = "base")]
    pub base: Option<String>,
    /// Compare with the profile FILE: two columns `STACK BASE NEW` for flamegraph's differential graph
    #[arg(
        long = "diff_base",
        visible_alias = "diff-base",
        value_name = "FILE",
        overrides_with = "diff_base"
    )]
    pub diff_base: Option<String>,
    /// Scale before comparing: --base scales the input to the base's total, --diff_base the base to the input's
    #[arg(long, overrides_with = "normalize")]
    pub normalize: bool,
    /// Leave out stacks whose value is negative (with --diff_base: stacks that shrank)
    #[arg(
        long = "drop_negative",
        visible_alias = "drop-negative",
        overrides_with = "drop_negative"
    )]
    pub drop_negative: bool,
}

/// The options above as pprof users type them, with one dash (`-focus RE`, `-focus=RE`).
pub const SINGLE_DASH: [&str; 18] = [
    "-focus",
    "-ignore",
    "-hide",
    "-show",
    "-show_from",
    "-show-from",
    "-prune_from",
    "-prune-from",
    "-tagfocus",
    "-tagignore",
    "-tagshow",
    "-taghide",
    "-base",
    "-diff_base",
    "-diff-base",
    "-normalize",
    "-drop_negative",
    "-drop-negative",
];

impl ShapeArgs {
    /// True when any of these options is given (then the profile goes through the pipeline).
    pub fn any(&self) -> bool {
        let s = self;
        [
            &s.focus,
            &s.ignore,
            &s.hide,
            &s.show,
            &s.show_from,
            &s.prune_from,
            &s.tagfocus,
            &s.tagignore,
            &s.tagshow,
            &s.taghide,
            &s.base,
            &s.diff_base,
        ]
        .iter()
        .any(|o| o.is_some())
            || s.normalize
            || s.drop_negative
    }

    /// The usage error of this combination, if any.
    pub fn usage_error(&self) -> Option<&'static str> {
        if self.base.is_some() && self.diff_base.is_some() {
            Some("--base and --diff_base cannot be used together")
        } else if self.normalize && self.base.is_none() && self.diff_base.is_none() {
            Some("--normalize needs --base or --diff_base")
        } else {
            None
        }
    }

    /// The base profile and how it is used.
    pub fn baseline(&self) -> Option<(&str, BaseMode)> {
        match (&self.base, &self.diff_base) {
            (Some(b), _) => Some((b, BaseMode::Subtract)),
            (None, Some(d)) => Some((d, BaseMode::Diff)),
            (None, None) => None,
        }
    }

    /// The filters, for [`crate::shape::Filters::compile`].
    pub fn spec(&self) -> ShapeSpec {
        ShapeSpec {
            focus: self.focus.clone(),
            ignore: self.ignore.clone(),
            hide: self.hide.clone(),
            show: self.show.clone(),
            show_from: self.show_from.clone(),
            prune_from: self.prune_from.clone(),
            tagfocus: self.tagfocus.clone(),
            tagignore: self.tagignore.clone(),
            tagshow: self.tagshow.clone(),
            taghide: self.taghide.clone(),
            normalize: self.normalize,
            drop_negative: self.drop_negative,
        }
    }
}
