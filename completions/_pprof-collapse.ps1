
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'pprof-collapse' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'pprof-collapse'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'pprof-collapse' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Value column to fold: a type name (e.g. inuse_space, delay) or a 0-based number')
            [CompletionResult]::new('--sample-index', '--sample-index', [CompletionResultType]::ParameterName, 'Value column to fold: a type name (e.g. inuse_space, delay) or a 0-based number')
            [CompletionResult]::new('--sample_index', '--sample_index', [CompletionResultType]::ParameterName, 'Value column to fold: a type name (e.g. inuse_space, delay) or a 0-based number')
            [CompletionResult]::new('--tag-root', '--tag-root', [CompletionResultType]::ParameterName, 'Prepend these label keys as root frames `K=value`, K1 nearest the root (repeatable)')
            [CompletionResult]::new('--tag-leaf', '--tag-leaf', [CompletionResultType]::ParameterName, 'Append these label keys below the leaf as frames `K=value` (repeatable)')
            [CompletionResult]::new('--focus', '--focus', [CompletionResultType]::ParameterName, 'Keep only samples with a frame that matches RE')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Drop samples with a frame that matches RE')
            [CompletionResult]::new('--hide', '--hide', [CompletionResultType]::ParameterName, 'Remove the frames that match RE from the stacks')
            [CompletionResult]::new('--show', '--show', [CompletionResultType]::ParameterName, 'Keep only the frames that match RE in the stacks')
            [CompletionResult]::new('--show_from', '--show_from', [CompletionResultType]::ParameterName, 'Start every stack at its root-most frame that matches RE (drop samples without one)')
            [CompletionResult]::new('--show-from', '--show-from', [CompletionResultType]::ParameterName, 'Start every stack at its root-most frame that matches RE (drop samples without one)')
            [CompletionResult]::new('--prune_from', '--prune_from', [CompletionResultType]::ParameterName, 'End every stack at its leaf-most function that matches RE (names simplified: `main.(*T).M` is `main.`)')
            [CompletionResult]::new('--prune-from', '--prune-from', [CompletionResultType]::ParameterName, 'End every stack at its leaf-most function that matches RE (names simplified: `main.(*T).M` is `main.`)')
            [CompletionResult]::new('--tagfocus', '--tagfocus', [CompletionResultType]::ParameterName, 'Keep only samples whose labels match: `key=RE1,RE2` (any), `RE1,RE2` on `key:value` (all), or numbers with units: `bytes=64kb:`, `delay=1ms:1s`')
            [CompletionResult]::new('--tagignore', '--tagignore', [CompletionResultType]::ParameterName, 'Drop samples whose labels match (the forms of --tagfocus)')
            [CompletionResult]::new('--tagshow', '--tagshow', [CompletionResultType]::ParameterName, 'Keep only the label keys that match RE (for --labels, --tag-root, --tag-leaf)')
            [CompletionResult]::new('--taghide', '--taghide', [CompletionResultType]::ParameterName, 'Remove the label keys that match RE')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'Subtract the profile FILE from the input (one column: new - base)')
            [CompletionResult]::new('--diff_base', '--diff_base', [CompletionResultType]::ParameterName, 'Compare with the profile FILE: two columns `STACK BASE NEW` for flamegraph''s differential graph')
            [CompletionResult]::new('--diff-base', '--diff-base', [CompletionResultType]::ParameterName, 'Compare with the profile FILE: two columns `STACK BASE NEW` for flamegraph''s differential graph')
            [CompletionResult]::new('--inuse_space', '--inuse_space', [CompletionResultType]::ParameterName, 'Same as --sample-index inuse_space (also -inuse_space)')
            [CompletionResult]::new('--inuse_objects', '--inuse_objects', [CompletionResultType]::ParameterName, 'Same as --sample-index inuse_objects (also -inuse_objects)')
            [CompletionResult]::new('--alloc_space', '--alloc_space', [CompletionResultType]::ParameterName, 'Same as --sample-index alloc_space (also -alloc_space)')
            [CompletionResult]::new('--alloc_objects', '--alloc_objects', [CompletionResultType]::ParameterName, 'Same as --sample-index alloc_objects (also -alloc_objects)')
            [CompletionResult]::new('--labels', '--labels', [CompletionResultType]::ParameterName, 'Prepend every string label as root frames `key=value` (keys sorted)')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'Frames `name:line` instead of `name`')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Add each goroutine''s state as a leaf frame `[STATE]` (`...;main.f;[chan receive]`)')
            [CompletionResult]::new('--group-by-state', '--group-by-state', [CompletionResultType]::ParameterName, 'Add each goroutine''s state as the root frame `[STATE]`, above everything else')
            [CompletionResult]::new('--created-by', '--created-by', [CompletionResultType]::ParameterName, 'Add the function that created each goroutine (`created by F`) as a root frame')
            [CompletionResult]::new('--minutes', '--minutes', [CompletionResultType]::ParameterName, 'Weigh each goroutine by its wait (`[select, 12 minutes]`) instead of 1; = `-i wait`')
            [CompletionResult]::new('--all-goroutines', '--all-goroutines', [CompletionResultType]::ParameterName, 'Keep the runtime''s own goroutines (GC workers, finalizer, ...) that crash dumps print')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Instead of stacks, describe each input: its value columns (default marked), period, duration, sample count')
            [CompletionResult]::new('--normalize', '--normalize', [CompletionResultType]::ParameterName, 'Scale before comparing: --base scales the input to the base''s total, --diff_base the base to the input''s')
            [CompletionResult]::new('--drop_negative', '--drop_negative', [CompletionResultType]::ParameterName, 'Leave out stacks whose value is negative (with --diff_base: stacks that shrank)')
            [CompletionResult]::new('--drop-negative', '--drop-negative', [CompletionResultType]::ParameterName, 'Leave out stacks whose value is negative (with --diff_base: stacks that shrank)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
