//! The command line of `pprof-collapse`: its clap definition, used by the binary, the man page and the
//! shell completions (`examples/gen-docs`).

use clap::{Arg, ArgAction, Args, Command};

const ABOUT: &str = "pprof profiles (protobuf or `go tool pprof -raw` text) to folded stacks";

const LONG_ABOUT: &str = "\
Reads pprof profiles and writes folded stacks, one `root;...;leaf VALUE` line per distinct
stack, sorted bytewise, for `flamegraph` (or flamegraph.pl, inferno).

Inputs are pprof protobuf files, gzipped or not (as served by net/http/pprof and written by
`go test -cpuprofile`, runtime/pprof and others), or the text printed by `go tool pprof -raw`.
Several inputs are summed into one output. Inlined functions are expanded (caller first),
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
        | flamegraph --colors mem --countname bytes > heap.svg
  allocs (/debug/pprof/allocs): the same columns, default alloc_space
      pprof-fetch http://127.0.0.1:6060/debug/pprof/allocs | pprof-collapse -i alloc_objects \\
        | flamegraph --colors mem --countname objects > allocs.svg
  goroutine (/debug/pprof/goroutine): where every goroutine is right now
      0 goroutine/count*
      pprof-fetch http://127.0.0.1:6060/debug/pprof/goroutine | pprof-collapse --labels \\
        | flamegraph --countname goroutines > goroutines.svg
  block (/debug/pprof/block), mutex (/debug/pprof/mutex): time spent waiting
      0 contentions/count   1 delay/nanoseconds*
      pprof-fetch http://127.0.0.1:6060/debug/pprof/block | pprof-collapse \\
        | flamegraph --countname nanoseconds > block.svg
      pprof-fetch http://127.0.0.1:6060/debug/pprof/mutex | pprof-collapse -i contentions \\
        | flamegraph --countname contentions > mutex.svg
  threadcreate (/debug/pprof/threadcreate): stacks that created OS threads
      0 threadcreate/count*
      pprof-fetch http://127.0.0.1:6060/debug/pprof/threadcreate | pprof-collapse \\
        | flamegraph --countname threads > threads.svg

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

/// The full clap definition of `pprof-collapse`.
pub fn command() -> Command {
    super::shape::ShapeArgs::augment_args(base_command())
}

fn base_command() -> Command {
    Command::new("pprof-collapse")
        .version(concat!("(flamepipe) ", env!("CARGO_PKG_VERSION")))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .after_long_help(AFTER_LONG_HELP)
        .arg(
            Arg::new("files")
                .value_name("FILE")
                .num_args(0..)
                .action(ArgAction::Append)
                .help("Profiles to read; none or `-` means stdin. Several are summed"),
        )
        .arg(
            Arg::new("sample_index")
                .short('i')
                .long("sample-index")
                .visible_alias("sample_index")
                .value_name("NAME|N")
                .help("Value column to fold: a type name (e.g. inuse_space, delay) or a 0-based number"),
        )
        .args(alias_flags())
        .arg(
            Arg::new("labels")
                .long("labels")
                .action(ArgAction::SetTrue)
                .conflicts_with("tag_root")
                .help("Prepend every string label as root frames `key=value` (keys sorted)"),
        )
        .arg(
            Arg::new("tag_root")
                .long("tag-root")
                .value_name("K1,K2")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .help("Prepend these label keys as root frames `K=value`, K1 nearest the root (repeatable)"),
        )
        .arg(
            Arg::new("tag_leaf")
                .long("tag-leaf")
                .value_name("K1,K2")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .help("Append these label keys below the leaf as frames `K=value` (repeatable)"),
        )
        .arg(
            Arg::new("lines")
                .long("lines")
                .action(ArgAction::SetTrue)
                .help("Frames `name:line` instead of `name`"),
        )
        .arg(
            Arg::new("list")
                .long("list")
                .action(ArgAction::SetTrue)
                .help("Instead of stacks, describe each input: its value columns (default marked), period, duration, sample count"),
        )
}

/// `--inuse_space` and friends (go-torch / pprof spellings of `--sample-index NAME`; one dash
/// works too).
fn alias_flags() -> Vec<Arg> {
    [
        "inuse_space",
        "inuse_objects",
        "alloc_space",
        "alloc_objects",
    ]
    .into_iter()
    .map(|name| {
        Arg::new(name)
            .long(name)
            .action(ArgAction::SetTrue)
            .conflicts_with("sample_index")
            .help(format!("Same as --sample-index {name} (also -{name})"))
    })
    .collect()
}
