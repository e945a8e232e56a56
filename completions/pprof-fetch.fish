complete -c pprof-fetch -s u -l url -d 'Base URL of the program (go-torch); its path is replaced by --suffix' -r
complete -c pprof-fetch -l suffix -d 'Path used with a base URL (go-torch)' -r
complete -c pprof-fetch -s t -l seconds -d 'Profile duration [default: 30]; on other profiles than cpu/trace it asks for a delta profile' -r
complete -c pprof-fetch -l profile -d 'Fetch /debug/pprof/NAME (wins over --suffix; replaces the last path segment of a full URL)' -r -f -a "cpu\t''
profile\t''
heap\t''
allocs\t''
goroutine\t''
block\t''
mutex\t''
threadcreate\t''
trace\t''"
complete -c pprof-fetch -s o -l output -d 'Write the body to FILE (replaced only when complete) instead of stdout; - = stdout' -r
complete -c pprof-fetch -s H -l header -d 'Extra request header, repeatable (e.g. \'Authorization: Bearer TOKEN\')' -r
complete -c pprof-fetch -l timeout -d 'Overall time limit in seconds, decimal; 0 = none [default: 1.5 x seconds + 5]' -r
complete -c pprof-fetch -l targets -d 'More targets, one per line (- = stdin; blank lines and # comments skipped); a fleet' -r
complete -c pprof-fetch -s j -l jobs -d 'At most N requests in flight [default: all at once]' -r
complete -c pprof-fetch -l instance-label -d 'Key of the label KEY=host:port added to every sample; \'\' adds none' -r
complete -c pprof-fetch -l insecure -d 'HTTPS without certificate or host name verification'
complete -c pprof-fetch -s q -l quiet -d 'No warnings and no progress line (errors are still printed)'
complete -c pprof-fetch -l keep-going -d 'Write the merge of the targets that answered when some fail (with a warning)'
complete -c pprof-fetch -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pprof-fetch -s V -l version -d 'Print version'
