//! The command line of `pprof-collapse`: its clap definition, used by the binary, the man page
//! and the shell completions (`examples/gen-docs`).
//!
//! [`Args`] is the whole command line, typed. Options come in groups, each a
//! `#[derive(clap::Args)]` struct flattened into [`Args`] (`#[command(flatten)]`): the value
//! column ([`ColumnArgs`]), the frames ([`FrameArgs`]), the sample shaping
//! ([`super::shape::ShapeArgs`]) and goroutine dumps ([`super::dumps::DumpArgs`]). A new group
//! is one more such struct
//! and field; the help lists the options in the order the fields are declared.

use crate::collapse::{Options, SampleIndex};
use clap::{ArgAction, Command, CommandFactory, Parser};

const ABOUT: &str =
    "pprof profiles (protobuf, `go tool pprof -raw` text, Go's ?debug=1 texts, goroutine dumps) to folded stacks";

const LONG_ABOUT: &str = "\
Reads pprof profiles and writes folded stacks, one `root;...;leaf VALUE` line per distinct
stack, sorted bytewise, for `flamegraph` (or flamegraph.pl, inferno).

Inputs are pprof protobuf files, gzipped or not (as served by net/http/pprof and written by
`go test -cpuprofile`, runtime/pprof and others), or the text printed by `go tool pprof -raw`.
Go's own text works too: the ?debug=1 pages, goroutine dumps (?debug=2), and what a panic, a
fatal error or `kill -QUIT` prints, also in the middle of a log file. Several inputs are summed into one output. Inlined functions are expanded (caller first),
unsymbolized locations are shown as `0x<address>`, identical stacks are summed, zero sums are
left out and negative sums (delta profiles) are kept.";

const AFTER_LONG_HELP: &str = "\
Go profile kinds and their value columns (-i picks one; * = default):

  cpu (/debug/pprof/profile?seconds=N)
      0 samples/count*   1 cpu/nanoseconds
      pprof-fetch http://127.0.0.1:6060 -t 30 | pprof-collapse | flamegraph > cpu.svg
  heap (/debug/pprof/heap): memory sampled since the program started
      0 alloc_objects/count   1 alloc_space/bytes   2 inuse_objects/count   3 inuse_space/bytes*
      pprof-fetch http://127.0.0.1:6060/debug/pprof/heap | pprof-collapse -i inuse_space \\
        | flamegraph --colors mem --units bytes > heap.svg
  allocs (/debug/pprof/allocs): the same columns, default alloc_space
      pprof-fetch http://127.0.0.1:6060/debug/pprof/allocs | pprof-collapse -i alloc_objects \\
        | flamegraph --colors mem --units objects > allocs.svg
  goroutine (/debug/pprof/goroutine): where every goroutine is right now
      0 goroutine/count*
      pprof-fetch http://127.0.0.1:6060/debug/pprof/goroutine | pprof-collapse --labels \\
        | flamegraph --colors go --units goroutines > goroutines.svg
  block (/debug/pprof/block), mutex (/debug/pprof/mutex): time spent waiting
      0 contentions/count   1 delay/nanoseconds*
      pprof-fetch http://127.0.0.1:6060/debug/pprof/block | pprof-collapse \\
        | flamegraph --colors go --units nanoseconds > block.svg
      pprof-fetch http://127.0.0.1:6060/debug/pprof/mutex | pprof-collapse -i contentions \\
        | flamegraph --colors go --units contentions > mutex.svg
  threadcreate (/debug/pprof/threadcreate): stacks that created OS threads
      0 threadcreate/count*
      pprof-fetch http://127.0.0.1:6060/debug/pprof/threadcreate | pprof-collapse \\
        | flamegraph --units threads > threads.svg
  goroutine dumps (goroutine?debug=2, a panic's or SIGQUIT's stderr, a log): one per goroutine
      0 goroutine/count*   1 wait/minutes (--minutes)
      curl -s 'http://127.0.0.1:6060/debug/pprof/goroutine?debug=2' | pprof-collapse --state \\
        | flamegraph --countname goroutines > stuck.svg
      pprof-collapse --minutes --created-by service.log | flamegraph --countname minutes > waits.svg
  ?debug=1 pages: the columns of the profile they print
      pprof-fetch 'http://127.0.0.1:6060/debug/pprof/heap?debug=1' | pprof-collapse -i inuse_space \\
        | flamegraph > heap.svg
  trace (/debug/pprof/trace?seconds=N): an execution trace, not a profile; read by go tool trace
      pprof-fetch -t 5 -o trace.out http://127.0.0.1:6060/debug/pprof/trace
      go tool trace trace.out

The default column is `samples` if the profile has one, else its default_sample_type, else the
last column. `--list` shows a profile's columns. Block and mutex profiles are empty unless the
program calls runtime.SetBlockProfileRate / runtime.SetMutexProfileFraction.

go tool pprof's filters and comparisons (one or two dashes, `=` or a separate value):
  pprof-collapse --focus 'main\\.handle' --hide '^runtime\\.' cpu.pb.gz | flamegraph > handle.svg
  pprof-collapse --tagfocus tenant=acme --labels cpu.pb.gz | flamegraph > acme.svg
  pprof-collapse --diff_base before.pb.gz --normalize after.pb.gz | flamegraph > diff.svg
  pprof-collapse --base old.heap.pb.gz --drop_negative heap.pb.gz | flamegraph > grew.svg

Without Go's toolchain at hand the `-raw` text works too:
  go tool pprof -raw cpu.pb.gz | pprof-collapse | flamegraph > cpu.svg

Errors print `pprof-collapse: NAME: MESSAGE` and exit 1 with nothing on stdout; usage errors
exit 2.";

/// The command line of `pprof-collapse`.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "pprof-collapse",
    version = concat!("(flamepipe) ", env!("CARGO_PKG_VERSION")),
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP
)]
pub struct Args {
    /// Profiles to read; none or `-` means stdin. Several are summed
    #[arg(value_name = "FILE", num_args = 0.., action = ArgAction::Append)]
    pub files: Vec<String>,

    /// Which value column to fold.
    #[command(flatten)]
    pub column: ColumnArgs,

    /// Which frames each stack has.
    #[command(flatten)]
    pub frames: FrameArgs,

    /// How goroutine dumps are read.
    #[command(flatten)]
    pub dumps: super::dumps::DumpArgs,

    /// Instead of stacks, describe each input: its value columns (default marked), period, duration, sample count
    #[arg(long)]
    pub list: bool,

    /// go tool pprof's filters and comparisons (src/cli/shape.rs; last, because their help
    /// heading holds for every option after them).
    #[command(flatten)]
    pub shape: super::shape::ShapeArgs,
}

/// The value column: `-i NAME|N` or one of pprof's and go-torch's `--inuse_space` spellings.
#[derive(clap::Args, Debug, Clone)]
pub struct ColumnArgs {
    /// Value column to fold: a type name (e.g. inuse_space, delay) or a 0-based number
    #[arg(
        short = 'i',
        long = "sample-index",
        visible_alias = "sample_index",
        value_name = "NAME|N",
        value_parser = parse_sample_index
    )]
    pub sample_index: Option<SampleIndex>,

    /// Same as --sample-index inuse_space (also -inuse_space)
    #[arg(long = "inuse_space", conflicts_with = "sample_index")]
    pub inuse_space: bool,

    /// Same as --sample-index inuse_objects (also -inuse_objects)
    #[arg(long = "inuse_objects", conflicts_with = "sample_index")]
    pub inuse_objects: bool,

    /// Same as --sample-index alloc_space (also -alloc_space)
    #[arg(long = "alloc_space", conflicts_with = "sample_index")]
    pub alloc_space: bool,

    /// Same as --sample-index alloc_objects (also -alloc_objects)
    #[arg(long = "alloc_objects", conflicts_with = "sample_index")]
    pub alloc_objects: bool,
}

/// The frames of each stack: label frames and line numbers.
#[derive(clap::Args, Debug, Clone)]
pub struct FrameArgs {
    /// Prepend every string label as root frames `key=value` (keys sorted)
    #[arg(long, conflicts_with = "tag_root")]
    pub labels: bool,

    /// Prepend these label keys as root frames `K=value`, K1 nearest the root (repeatable)
    #[arg(long = "tag-root", value_name = "K1,K2", value_delimiter = ',')]
    pub tag_root: Vec<String>,

    /// Append these label keys below the leaf as frames `K=value` (repeatable)
    #[arg(long = "tag-leaf", value_name = "K1,K2", value_delimiter = ',')]
    pub tag_leaf: Vec<String>,

    /// Frames `name:line` instead of `name`
    #[arg(long)]
    pub lines: bool,
}

/// `-i` takes any text: a number is a column number, anything else a type name.
fn parse_sample_index(text: &str) -> Result<SampleIndex, std::convert::Infallible> {
    Ok(SampleIndex::parse(text))
}

impl ColumnArgs {
    /// The column asked for: `-i`, else the first alias flag given (in the order above).
    pub fn sample_index(&self) -> Option<SampleIndex> {
        let aliases = [
            (self.inuse_space, "inuse_space"),
            (self.inuse_objects, "inuse_objects"),
            (self.alloc_space, "alloc_space"),
            (self.alloc_objects, "alloc_objects"),
        ];
        self.sample_index.clone().or_else(|| {
            aliases
                .into_iter()
                .find(|&(given, _)| given)
                .map(|(_, name)| SampleIndex::Name(name.to_string()))
        })
    }
}

impl Args {
    /// How to fold, from the options (empty label keys left out).
    pub fn options(&self) -> Options {
        let keys = |list: &[String]| -> Vec<String> {
            list.iter().filter(|k| !k.is_empty()).cloned().collect()
        };
        Options {
            sample_index: self.column.sample_index(),
            labels: self.frames.labels,
            tag_root: keys(&self.frames.tag_root),
            tag_leaf: keys(&self.frames.tag_leaf),
            lines: self.frames.lines,
        }
    }
}

/// The full clap definition of `pprof-collapse` (for the man page and the completions).
pub fn command() -> Command {
    Args::command()
}
