<#
.SYNOPSIS
go-torch, rebuilt on flamepipe: accepts go-torch's command line and runs
pprof-fetch | pprof-collapse | flamegraph, without Go's toolchain or perl.

.DESCRIPTION
The same options as scripts/go-torch (the POSIX sh version); run `go-torch.ps1 --help`.
The profile source is a URL (fetched with pprof-fetch) or a saved profile file. The three tools
must be on PATH (cargo install --locked --path . puts them in %USERPROFILE%\.cargo\bin).
flamegraph's --units comes from the profile's value column (bytes for heap, nanoseconds for
block and mutex), the title names the profile kind and column (heap: inuse_space), and heap
graphs get the mem palette, goroutine, block and mutex graphs the go palette.

Profiles and graphs travel between the tools through files in a temporary folder, byte for
byte: PowerShell's own pipeline would re-encode them as text.

.EXAMPLE
.\go-torch.ps1 -u http://127.0.0.1:8080 -t 30

.EXAMPLE
.\go-torch.ps1 -inuse_space http://127.0.0.1:8080/debug/pprof/heap -f heap.svg
#>

Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'

$Usage = @'
Usage: go-torch.ps1 [options] [binary] [profile source]

The profile source is a URL (fetched with pprof-fetch) or a saved profile file.

pprof options:
  -u, --url URL           base URL of the Go program (default http://localhost:8080)
      --suffix PATH       profile path on that URL (default /debug/pprof/profile)
  -t, --seconds N         seconds to profile for (CPU default 30; on other profiles asks for a
                          delta profile)
  -b, --binaryinput FILE  read a saved profile instead of fetching one
      --binaryname FILE   accepted and ignored (Go profiles carry their symbols)
  -inuse_space, -inuse_objects, -alloc_space, -alloc_objects, -sample_index N|NAME
                          value column of the profile (see pprof-collapse --list)
      --pprofArgs ARGS    only the column options above are understood in ARGS

Output options:
  -f, --file FILE         SVG file to write (default torch.svg)
  -p, --print             write the SVG to stdout instead of a file
  -r, --raw               write the folded stacks to stdout instead of an SVG
      --title TEXT        graph title
      --width N           graph width in pixels (default 1200)
      --hash, --colors PALETTE, --cp, --reverse, --inverted
                          passed to flamegraph
  -h, --help              this text
'@

function Write-Message([string]$Text) {
    [Console]::Error.WriteLine("go-torch: $Text")
}

function Exit-Usage([string]$Text) {
    Write-Message $Text
    [Console]::Error.WriteLine("Run 'go-torch.ps1 --help' for the options.")
    exit 2
}

# The settings of one run, filled from the command line.
$Settings = @{
    Url = ''; Suffix = ''; Seconds = ''; File = 'torch.svg'; Print = $false; Raw = $false
    BinaryInput = ''; Sample = ''; Sources = @(); Flamegraph = @()
}

# -inuse_space and friends; returns $false if $Word is not one.
function Set-SampleOption([string]$Word) {
    switch -regex ($Word) {
        '^--?(inuse_space|inuse_objects|alloc_space|alloc_objects)$' { $Settings.Sample = $Matches[1]; return $true }
        '^--?sample_index=(.*)$' { $Settings.Sample = $Matches[1]; return $true }
    }
    return $false
}

# The column options inside --pprofArgs; other pprof flags mean nothing here.
function Set-PprofArgs([string]$Words) {
    $wantIndex = $false
    foreach ($word in ($Words -split '\s+' | Where-Object { $_ })) {
        if ($wantIndex) { $Settings.Sample = $word; $wantIndex = $false }
        elseif ($word -eq '-sample_index' -or $word -eq '--sample_index') { $wantIndex = $true }
        elseif (-not (Set-SampleOption $word)) { Write-Message "warning: --pprofArgs $word ignored" }
    }
}

# Options with a value (-x VALUE, --name VALUE, --name=VALUE, -x=VALUE, -xVALUE) and where the
# value goes: a $Settings key, or a lower-case flamegraph option name.
$ValueOptions = @{
    '-u' = 'Url'; '--url' = 'Url'; '--suffix' = 'Suffix'; '-t' = 'Seconds'; '--seconds' = 'Seconds'
    '--time' = 'Seconds'; '-f' = 'File'; '--file' = 'File'; '-b' = 'BinaryInput'
    '--binaryinput' = 'BinaryInput'; '--binaryname' = ''; '--pprofArgs' = 'PprofArgs'
    '-sample_index' = 'Sample'; '--sample_index' = 'Sample'
    '--title' = 'title'; '--width' = 'width'; '--colors' = 'colors'
}

function Read-CommandLine([string[]]$Arguments) {
    $i = 0
    $onlySources = $false
    while ($i -lt $Arguments.Count) {
        $arg = $Arguments[$i]
        $i++
        if ($onlySources) { $Settings.Sources += $arg; continue }
        $name = $arg
        $value = $null
        if ($arg -match '^(--?[A-Za-z_]+)=(.*)$' -and $ValueOptions.ContainsKey($Matches[1])) {
            $name = $Matches[1]; $value = $Matches[2]
        }
        elseif ($arg -cmatch '^(-[utfb])(.+)$') {
            $name = $Matches[1]; $value = $Matches[2]
        }
        if ($ValueOptions.ContainsKey($name)) {
            if ($null -eq $value) {
                if ($i -ge $Arguments.Count) { Exit-Usage "option $name needs a value" }
                $value = $Arguments[$i]
                $i++
            }
            $target = $ValueOptions[$name]
            if ($target -eq 'PprofArgs') { Set-PprofArgs $value }
            elseif ($target -cmatch '^[a-z]') { $Settings.Flamegraph += @("--$target", $value) }
            elseif ($target) { $Settings[$target] = $value }
            continue
        }
        switch -exact ($arg) {
            '--' { $onlySources = $true; continue }
            { $_ -in '-h', '--help' } { Write-Output $Usage; exit 0 }
            { $_ -in '-p', '--print' } { $Settings.Print = $true; continue }
            { $_ -in '-r', '--raw' } { $Settings.Raw = $true; continue }
            { $_ -in '--hash', '--cp', '--reverse', '--inverted' } { $Settings.Flamegraph += $arg; continue }
            default {
                if ($arg.StartsWith('-')) {
                    if (-not (Set-SampleOption $arg)) { Exit-Usage "unknown option $arg" }
                }
                else { $Settings.Sources += $arg }
            }
        }
    }
    if ($Settings.Sources.Count -gt 2) {
        Exit-Usage "too many arguments: $($Settings.Sources[2]) (expected [binary] [profile source])"
    }
}

function Find-Tool([string]$Name) {
    $command = Get-Command $Name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $command) {
        Write-Message "$Name not found on PATH (install flamepipe's tools: cargo install --locked --path .)"
        exit 1
    }
    return $command.Source
}

# One argument as the Windows C runtime (and Rust) splits command lines.
function ConvertTo-Argument([string]$Text) {
    if ($Text.Length -gt 0 -and $Text -notmatch '[\s"]') { return $Text }
    $quoted = New-Object System.Text.StringBuilder
    [void]$quoted.Append('"')
    $backslashes = 0
    foreach ($c in $Text.ToCharArray()) {
        if ($c -eq [char]92) { $backslashes++; continue }
        if ($c -eq [char]34) { [void]$quoted.Append([char]92, 2 * $backslashes + 1) }
        elseif ($backslashes -gt 0) { [void]$quoted.Append([char]92, $backslashes) }
        $backslashes = 0
        [void]$quoted.Append($c)
    }
    [void]$quoted.Append([char]92, 2 * $backslashes)
    [void]$quoted.Append('"')
    return $quoted.ToString()
}

# Runs a tool with its stdout going byte for byte into $OutFile; returns its exit status. Its
# messages go to stderr with the temporary profile's path replaced by $script:Where (the URL or
# file the profile came from).
function Invoke-ToFile([string]$Tool, [string[]]$Arguments, [string]$OutFile) {
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = Find-Tool $Tool
    $info.Arguments = (@($Arguments) | ForEach-Object { ConvertTo-Argument $_ }) -join ' '
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $messages = $process.StandardError.ReadToEndAsync()
    $stream = [System.IO.File]::Create($OutFile)
    try { $process.StandardOutput.BaseStream.CopyTo($stream) }
    finally { $stream.Dispose() }
    $process.WaitForExit()
    $text = $messages.Result
    if ($script:TempProfile -and $script:Where) { $text = $text.Replace($script:TempProfile, $script:Where) }
    if ($text) { [Console]::Error.Write($text) }
    return $process.ExitCode
}

# flamegraph's --units for a column TYPE/UNIT.
function Get-Units([string]$Type, [string]$Unit) {
    if ($Unit -ne 'count') { return $Unit }
    if ($Type -like '*objects') { return 'objects' }
    if ($Type -eq 'goroutine') { return 'goroutines' }
    if ($Type -eq 'threadcreate') { return 'threads' }
    return $Type
}

# The chosen column, from `pprof-collapse --list` ("  N  TYPE/UNIT ...  (default)"): its
# --units, its type, the profile kind it shows (heap and allocs have the same columns; allocs'
# default is alloc_space; the URL's kind wins later) and a palette; $null when not found.
function Find-Column([string]$ProfilePath, [string[]]$SampleArgs) {
    $collapse = Find-Tool 'pprof-collapse'
    $listing = & $collapse --list @SampleArgs $ProfilePath 2>$null
    $want = $Settings.Sample
    $found = $null
    $defaultType = ''
    foreach ($line in @($listing)) {
        if ("$line" -notmatch '^\s+(\d+)\s+([^/\s]+)/(\S+)(.*)$') { continue }
        $index = $Matches[1]; $type = $Matches[2]; $unit = $Matches[3]; $rest = $Matches[4]
        if ($rest -match '\(default\)') { $defaultType = $type }
        $chosen = if ($want) {
            $want -eq $index -or $want -eq $type -or ($want -like 'inuse_*' -and $want.Substring(6) -eq $type)
        }
        else { $rest -match '\(default\)' }
        if ($chosen -and -not $found) { $found = @{ Type = $type; Unit = $unit } }
    }
    if (-not $found) { return $null }
    $type = $found.Type
    $kind = $type
    $palette = ''
    if ($type -in 'samples', 'cpu') { $kind = 'cpu' }
    elseif ($type -match '^(alloc|inuse)_') {
        $kind = if ($defaultType -eq 'alloc_space') { 'allocs' } else { 'heap' }
        $palette = 'mem'
    }
    elseif ($type -in 'contentions', 'delay') { $kind = 'block/mutex'; $palette = 'go' }
    elseif ($type -eq 'goroutine') { $palette = 'go' }
    return @{ Units = (Get-Units $type $found.Unit); Type = $type; Kind = $kind; Palette = $palette }
}

# What messages call the profile: the saved file, or the URL it is fetched from (as pprof-fetch
# builds it: a URL without a path gets --suffix, -u gets its path replaced by --suffix).
function Get-Where([string]$Source) {
    if ($Settings.BinaryInput) { return $Settings.BinaryInput }
    if ($Source -and (Test-Path -LiteralPath $Source -PathType Leaf)) { return $Source }
    $base = if ($Source) { $Source } elseif ($Settings.Url) { $Settings.Url } else { 'http://localhost:8080' }
    $scheme = ''
    if ($base -match '^([A-Za-z][A-Za-z0-9+.-]*://)(.*)$') { $scheme = $Matches[1]; $base = $Matches[2] }
    $slash = $base.IndexOf('/')
    $hostPart = if ($slash -ge 0) { $base.Substring(0, $slash) } else { $base }
    $path = if ($slash -ge 0) { $base.Substring($slash) } else { '' }
    if (-not $Source -or $path -eq '' -or $path -eq '/') {
        $path = if ($Settings.Suffix) { $Settings.Suffix } else { '/debug/pprof/profile' }
        if (-not $path.StartsWith('/')) { $path = '/' + $path }
    }
    return "$scheme$hostPart$path"
}

# The SVG file must be writable before a profile is taken (a CPU profile takes 30 s): the
# problem, or '' when it can be written.
function Test-Output([string]$File) {
    if (Test-Path -LiteralPath $File -PathType Container) { return "cannot write ${File}: it is a folder" }
    if (Test-Path -LiteralPath $File -PathType Leaf) {
        try { $stream = [System.IO.File]::Open($File, 'Open', 'Write'); $stream.Dispose(); return '' }
        catch { return "cannot write ${File}: permission denied" }
    }
    $folder = Split-Path -Parent $File
    if (-not $folder) { $folder = '.' }
    if (-not (Test-Path -LiteralPath $folder -PathType Container)) { return "cannot write ${File}: no folder $folder" }
    return ''
}

# The pipeline. Only -p and -r write to the output stream (the tool's stdout); the exit status
# goes into $script:ExitStatus.
function Invoke-GoTorch([string]$Temp) {
    $script:ExitStatus = 1
    $sources = @($Settings.Sources)
    $source = if ($sources.Count -gt 0) { $sources[-1] } else { '' }
    if (-not $Settings.Print -and -not $Settings.Raw) {
        $problem = Test-Output $Settings.File
        if ($problem) { Write-Message $problem; return }
    }
    $script:Where = Get-Where $source
    $script:TempProfile = ''

    # 1. The profile: a saved file, or fetched into the temporary folder.
    if ($Settings.BinaryInput) { $profilePath = $Settings.BinaryInput }
    elseif ($source -and (Test-Path -LiteralPath $source -PathType Leaf)) { $profilePath = $source }
    else {
        $profilePath = Join-Path $Temp 'profile'
        $script:TempProfile = $profilePath
        $fetchArgs = @('-o', $profilePath)
        if ($Settings.Url) { $fetchArgs += @('-u', $Settings.Url) }
        if ($Settings.Suffix) { $fetchArgs += @('--suffix', $Settings.Suffix) }
        if ($Settings.Seconds) { $fetchArgs += @('-t', $Settings.Seconds) }
        if ($source) { $fetchArgs += $source }
        $fetch = Find-Tool 'pprof-fetch'
        & $fetch @fetchArgs
        if ($LASTEXITCODE -ne 0) { $script:ExitStatus = $LASTEXITCODE; return }
    }

    # 2. Folded stacks of the chosen value column.
    # (An `if` that yields @() would assign $null, and @($null) is one empty argument.)
    $sampleArgs = @()
    if ($Settings.Sample) { $sampleArgs = @('-i', $Settings.Sample) }
    $folded = Join-Path $Temp 'folded'
    $status = Invoke-ToFile 'pprof-collapse' (@($sampleArgs) + $profilePath) $folded
    if ($status -ne 0) { $script:ExitStatus = $status; return }
    if ($Settings.Raw) {
        $out = [Console]::OpenStandardOutput()
        $in = [System.IO.File]::OpenRead($folded)
        try { $in.CopyTo($out); $out.Flush() }
        finally { $in.Dispose() }
        $script:ExitStatus = 0
        return
    }

    # 3. and 4. The chosen column's --units, a title naming kind and column, its palette, and
    # the flame graph.
    $graphArgs = @()
    $column = Find-Column $profilePath $sampleArgs
    if ($column) {
        $kind = $column.Kind
        switch -regex ($script:Where -replace '\?.*$', '') {
            '/debug/pprof/profile$' { $kind = 'cpu' }
            '/debug/pprof/(heap|allocs|goroutine|block|mutex|threadcreate)$' { $kind = $Matches[1] }
        }
        $graphArgs += @('--units', $column.Units)
        if ($Settings.Flamegraph -notcontains '--title') { $graphArgs += @('--title', "${kind}: $($column.Type)") }
        if ($column.Palette -and $Settings.Flamegraph -notcontains '--colors') { $graphArgs += @('--colors', $column.Palette) }
    }
    $graphArgs += $Settings.Flamegraph
    $graphArgs += $folded
    if ($Settings.Print) {
        $flamegraph = Find-Tool 'flamegraph'
        & $flamegraph @graphArgs
        $script:ExitStatus = $LASTEXITCODE
        return
    }
    $svg = Join-Path $Temp 'torch.svg'
    $status = Invoke-ToFile 'flamegraph' $graphArgs $svg
    if ($status -ne 0) { $script:ExitStatus = $status; return }
    # Replace FILE only with a complete graph.
    Copy-Item -LiteralPath $svg -Destination $Settings.File -Force
    Write-Message "wrote $($Settings.File)"
    $script:ExitStatus = 0
}

Read-CommandLine @($args | ForEach-Object { "$_" })
$temp = Join-Path ([System.IO.Path]::GetTempPath()) ("go-torch." + [guid]::NewGuid().ToString('N'))
[void](New-Item -ItemType Directory -Path $temp)
$ExitStatus = 1
try { Invoke-GoTorch $temp }
finally { Remove-Item -LiteralPath $temp -Recurse -Force -ErrorAction SilentlyContinue }
exit $ExitStatus
