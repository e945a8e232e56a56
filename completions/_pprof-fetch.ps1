
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'pprof-fetch' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'pprof-fetch'
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

    # the word before the one being completed: an option whose values are offered
    $previous = if ($wordToComplete -eq '') { $commandElements[-1] } else { $commandElements[-2] }
    if ("$previous" -ieq '--profile' -or "$previous" -ieq '-profile') {
        return @('cpu', 'profile', 'heap', 'allocs', 'goroutine', 'block', 'mutex', 'threadcreate', 'trace') | Where-Object { $_ -like "$wordToComplete*" } |
            ForEach-Object { [CompletionResult]::new($_, $_, [CompletionResultType]::ParameterValue, $_) }
    }

    $completions = @(switch ($command) {
        'pprof-fetch' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Base URL of the program (go-torch); its path is replaced by --suffix')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Base URL of the program (go-torch); its path is replaced by --suffix')
            [CompletionResult]::new('--suffix', '--suffix', [CompletionResultType]::ParameterName, 'Path used with a base URL (go-torch)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Profile duration [default: 30]; on other profiles than cpu/trace it asks for a delta profile')
            [CompletionResult]::new('--seconds', '--seconds', [CompletionResultType]::ParameterName, 'Profile duration [default: 30]; on other profiles than cpu/trace it asks for a delta profile')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Fetch /debug/pprof/NAME (wins over --suffix; replaces the last path segment of a full URL)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the body to FILE (replaced only when complete) instead of stdout; - = stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the body to FILE (replaced only when complete) instead of stdout; - = stdout')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request header, repeatable (e.g. ''Authorization: Bearer TOKEN'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request header, repeatable (e.g. ''Authorization: Bearer TOKEN'')')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Overall time limit in seconds, decimal; 0 = none [default: 1.5 x seconds + 5]')
            [CompletionResult]::new('--targets', '--targets', [CompletionResultType]::ParameterName, 'More targets, one per line (- = stdin; blank lines and # comments skipped); a fleet')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'At most N requests in flight [default: all at once]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'At most N requests in flight [default: all at once]')
            [CompletionResult]::new('--instance-label', '--instance-label', [CompletionResultType]::ParameterName, 'Key of the label KEY=host:port added to every sample; '''' adds none')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'HTTPS without certificate or host name verification')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No warnings and no progress line (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No warnings and no progress line (errors are still printed)')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Write the merge of the targets that answered when some fail (with a warning)')
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
