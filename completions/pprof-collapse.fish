complete -c pprof-collapse -s i -l sample-index -l sample_index -d 'Value column to fold: a type name (e.g. inuse_space, delay) or a 0-based number' -r
complete -c pprof-collapse -l tag-root -d 'Prepend these label keys as root frames `K=value`, K1 nearest the root (repeatable)' -r
complete -c pprof-collapse -l tag-leaf -d 'Append these label keys below the leaf as frames `K=value` (repeatable)' -r
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
complete -c pprof-collapse -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pprof-collapse -s V -l version -d 'Print version'
