
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'flamegraph' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'flamegraph'
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
    if ("$previous" -ieq '--colors' -or "$previous" -ieq '-colors') {
        return @('hot', 'mem', 'io', 'red', 'green', 'blue', 'yellow', 'purple', 'aqua', 'orange', 'java', 'perl', 'js', 'wakeup', 'chain', 'go') | Where-Object { $_ -like "$wordToComplete*" } |
            ForEach-Object { [CompletionResult]::new($_, $_, [CompletionResultType]::ParameterValue, $_) }
    }

    $completions = @(switch ($command) {
        'flamegraph' {
            [CompletionResult]::new('--title', '--title', [CompletionResultType]::ParameterName, 'Heading text [default: Flame Graph, Icicle Graph with --inverted, Flame Chart with --flamechart]')
            [CompletionResult]::new('--subtitle', '--subtitle', [CompletionResultType]::ParameterName, 'Second heading, below the title [default: none]')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Image width in pixels, an integer [default: 1200]')
            [CompletionResult]::new('--height', '--height', [CompletionResultType]::ParameterName, 'Height of each frame row in pixels, an integer [default: 16]')
            [CompletionResult]::new('--minwidth', '--minwidth', [CompletionResultType]::ParameterName, 'Omit frames narrower than N pixels, or than N percent of the total with a trailing % [default: 0.1]')
            [CompletionResult]::new('--fonttype', '--fonttype', [CompletionResultType]::ParameterName, 'Font family of all text [default: Verdana]')
            [CompletionResult]::new('--fontsize', '--fontsize', [CompletionResultType]::ParameterName, 'Font size in pixels; also sets the paddings [default: 12]')
            [CompletionResult]::new('--fontwidth', '--fontwidth', [CompletionResultType]::ParameterName, 'Average glyph width as a fraction of the font size, for label truncation [default: 0.59]')
            [CompletionResult]::new('--countname', '--countname', [CompletionResultType]::ParameterName, 'Unit of the counts, shown in tooltips; any other than `samples` silences the low-count warning [default: samples]')
            [CompletionResult]::new('--units', '--units', [CompletionResultType]::ParameterName, 'Unit of the counts, as pprof names it: memory (bytes, kB, MB, ...) and time (nanoseconds, us, ms, seconds, hours) units show tooltips as `go tool pprof` labels (1.50MB, 35.20ms); any other unit (count, goroutines, ...) only names the counts')
            [CompletionResult]::new('--nametype', '--nametype', [CompletionResultType]::ParameterName, 'Prefix of the hover details line [default: Function:]')
            [CompletionResult]::new('--colors', '--colors', [CompletionResultType]::ParameterName, 'Palette; `go` colors Go frames by kind: runtime red, standard library yellow, main green, modules aqua, labels purple, goroutine states blue, unsymbolized and native orange [default: hot]')
            [CompletionResult]::new('--bgcolors', '--bgcolors', [CompletionResultType]::ParameterName, 'Background: yellow, blue, green, grey or #rrggbb [default: derived from the palette]')
            [CompletionResult]::new('--notes', '--notes', [CompletionResultType]::ParameterName, 'Text of an XML comment at the top of the SVG')
            [CompletionResult]::new('--total', '--total', [CompletionResultType]::ParameterName, 'Total used for scaling instead of the sum of the counts (ignored when smaller)')
            [CompletionResult]::new('--factor', '--factor', [CompletionResultType]::ParameterName, 'Multiply the displayed counts (not the widths) by N, not 0 [default: 1]')
            [CompletionResult]::new('--nameattr', '--nameattr', [CompletionResultType]::ParameterName, 'Per-function SVG attributes: lines FUNC<TAB>key=value<TAB>... (title, id, class, g_extra, href, target, a_extra)')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding named in the XML declaration (the output is UTF-8 regardless)')
            [CompletionResult]::new('--hash', '--hash', [CompletionResultType]::ParameterName, 'Colors from a hash of the function name (similar names get similar colors)')
            [CompletionResult]::new('--random', '--random', [CompletionResultType]::ParameterName, 'Random colors, different on every run (--hash wins)')
            [CompletionResult]::new('--cp', '--cp', [CompletionResultType]::ParameterName, 'Consistent palette: reuse and update the colors stored in ./palette.map')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'Reverse every stack (leaf first) before merging')
            [CompletionResult]::new('--inverted', '--inverted', [CompletionResultType]::ParameterName, 'Icicle graph: the root at the top')
            [CompletionResult]::new('--flamechart', '--flamechart', [CompletionResultType]::ParameterName, 'Flame chart: keep input order (x axis = time), merge only adjacent identical stacks')
            [CompletionResult]::new('--negate', '--negate', [CompletionResultType]::ParameterName, 'Swap the red/blue hues of a differential graph and the sign of the delta')
            [CompletionResult]::new('--html', '--html', [CompletionResultType]::ParameterName, 'Write a canvas HTML page instead of the SVG: fast at any size, keeps every frame (--minwidth defaults to 0)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print this help and exit')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print the version and exit')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
