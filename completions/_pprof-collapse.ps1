
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
