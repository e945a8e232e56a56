//! `pprof-collapse`'s options for goroutine dumps (`?debug=2`, panics, SIGQUIT output), as a
//! clap `Args` group added to the command line; they change nothing for other inputs.

use crate::profile::text::DumpOptions;

/// The options for goroutine dumps.
#[derive(clap::Args, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[command(next_help_heading = "Goroutine dumps (?debug=2, panics, SIGQUIT output)")]
pub struct DumpArgs {
    /// Add each goroutine's state as a leaf frame `[STATE]` (`...;main.f;[chan receive]`)
    #[arg(long)]
    pub state: bool,

    /// Add each goroutine's state as the root frame `[STATE]`, above everything else
    #[arg(long)]
    pub group_by_state: bool,

    /// Add the function that created each goroutine (`created by F`) as a root frame
    #[arg(long)]
    pub created_by: bool,

    /// Weigh each goroutine by its wait (`[select, 12 minutes]`) instead of 1; = `-i wait`
    #[arg(long, conflicts_with_all = ["sample_index", "inuse_space", "inuse_objects", "alloc_space", "alloc_objects"])]
    pub minutes: bool,

    /// Keep the runtime's own goroutines (GC workers, finalizer, ...) that crash dumps print
    #[arg(long)]
    pub all_goroutines: bool,
}

impl From<DumpArgs> for DumpOptions {
    fn from(a: DumpArgs) -> Self {
        DumpOptions {
            state: a.state,
            group_by_state: a.group_by_state,
            created_by: a.created_by,
            minutes: a.minutes,
            all_goroutines: a.all_goroutines,
        }
    }
}
