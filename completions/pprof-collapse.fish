complete -c pprof-collapse -s i -l sample-index -l sample_index -d 'Value column to fold: a type name (e.g. inuse_space, delay) or a 0-based number' -r
complete -c pprof-collapse -l tag-root -d 'Prepend these label keys as root frames `K=value`, K1 nearest the root (repeatable)' -r
complete -c pprof-collapse -l tag-leaf -d 'Append these label keys below the leaf as frames `K=value` (repeatable)' -r
complete -c pprof-collapse -l focus -d 'Keep only samples with a frame that matches RE' -r
complete -c pprof-collapse -l ignore -d 'Drop samples with a frame that matches RE' -r
complete -c pprof-collapse -l hide -d 'Remove the frames that match RE from the stacks' -r
complete -c pprof-collapse -l show -d 'Keep only the frames that match RE in the stacks' -r
complete -c pprof-collapse -l show_from -l show-from -d 'Start every stack at its root-most frame that matches RE (drop samples without one)' -r
complete -c pprof-collapse -l prune_from -l prune-from -d 'End every stack at its leaf-most function that matches RE (names simplified: `main.(*T).M` is `main.`)' -r
complete -c pprof-collapse -l tagfocus -d 'Keep only samples whose labels match: `key=RE1,RE2` (any), `RE1,RE2` on `key:value` (all), or numbers with units: `bytes=64kb:`, `delay=1ms:1s`' -r
complete -c pprof-collapse -l tagignore -d 'Drop samples whose labels match (the forms of --tagfocus)' -r
complete -c pprof-collapse -l tagshow -d 'Keep only the label keys that match RE (for --labels, --tag-root, --tag-leaf)' -r
complete -c pprof-collapse -l taghide -d 'Remove the label keys that match RE' -r
complete -c pprof-collapse -l base -d 'Subtract the profile FILE from the input (one column: new - base)' -r
complete -c pprof-collapse -l diff_base -l diff-base -d 'Compare with the profile FILE: two columns `STACK BASE NEW` for flamegraph\'s differential graph' -r
complete -c pprof-collapse -l inuse_space -d 'Same as --sample-index inuse_space (also -inuse_space)'
complete -c pprof-collapse -l inuse_objects -d 'Same as --sample-index inuse_objects (also -inuse_objects)'
complete -c pprof-collapse -l alloc_space -d 'Same as --sample-index alloc_space (also -alloc_space)'
complete -c pprof-collapse -l alloc_objects -d 'Same as --sample-index alloc_objects (also -alloc_objects)'
complete -c pprof-collapse -l labels -d 'Prepend every string label as root frames `key=value` (keys sorted)'
complete -c pprof-collapse -l lines -d 'Frames `name:line` instead of `name`'
complete -c pprof-collapse -l state -d 'Add each goroutine\'s state as a leaf frame `[STATE]` (`...;main.f;[chan receive]`)'
complete -c pprof-collapse -l group-by-state -d 'Add each goroutine\'s state as the root frame `[STATE]`, above everything else'
complete -c pprof-collapse -l created-by -d 'Add the function that created each goroutine (`created by F`) as a root frame'
complete -c pprof-collapse -l minutes -d 'Weigh each goroutine by its wait (`[select, 12 minutes]`) instead of 1; = `-i wait`'
complete -c pprof-collapse -l all-goroutines -d 'Keep the runtime\'s own goroutines (GC workers, finalizer, ...) that crash dumps print'
complete -c pprof-collapse -l list -d 'Instead of stacks, describe each input: its value columns (default marked), period, duration, sample count'
complete -c pprof-collapse -l normalize -d 'Scale before comparing: --base scales the input to the base\'s total, --diff_base the base to the input\'s'
complete -c pprof-collapse -l drop_negative -l drop-negative -d 'Leave out stacks whose value is negative (with --diff_base: stacks that shrank)'
complete -c pprof-collapse -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pprof-collapse -s V -l version -d 'Print version'
