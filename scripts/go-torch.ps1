<#
.SYNOPSIS
go-torch, rebuilt on flamepipe: accepts go-torch's command line and runs
pprof-fetch | pprof-collapse | flamegraph, without Go's toolchain or perl.

.DESCRIPTION
The same options as scripts/go-torch (the POSIX sh version); run `go-torch.ps1 --help`.
The profile source is a URL (fetched with pprof-fetch) or a saved profile file. The three tools
must be on PATH (cargo install --locked --path . puts them in %USERPROFILE%\.cargo\bin).
flamegraph's --countname comes from the unit of the profile's value column (bytes for heap).

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

# Runs a tool with its stdout going byte for byte into $OutFile; returns its exit status.
function Invoke-ToFile([string]$Tool, [string[]]$Arguments, [string]$OutFile) {
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = Find-Tool $Tool
    $info.Arguments = (@($Arguments) | ForEach-Object { ConvertTo-Argument $_ }) -join ' '
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $stream = [System.IO.File]::Create($OutFile)
    try { $process.StandardOutput.BaseStream.CopyTo($stream) }
    finally { $stream.Dispose() }
    $process.WaitForExit()
    return $process.ExitCode
}

# flamegraph's --countname for a column TYPE/UNIT.
function Get-CountName([string]$Type, [string]$Unit) {
    if ($Type -eq 'samples') { return 'samples' }
    if ($Unit -ne 'count') { return $Unit }
    if ($Type -like '*objects') { return 'objects' }
    if ($Type -eq 'goroutine') { return 'goroutines' }
    if ($Type -eq 'threadcreate') { return 'threads' }
    return $Type
}

# The unit of the chosen column, from `pprof-collapse --list` ("  N  TYPE/UNIT  (default)").
function Find-CountName([string]$ProfilePath, [string[]]$SampleArgs) {
    $collapse = Find-Tool 'pprof-collapse'
    $listing = & $collapse --list @SampleArgs $ProfilePath
    $want = $Settings.Sample
    foreach ($line in @($listing)) {
        if ("$line" -notmatch '^\s+(\d+)\s+([^/\s]+)/(\S+)(.*)$') { continue }
        $index = $Matches[1]; $type = $Matches[2]; $unit = $Matches[3]; $rest = $Matches[4]
        $chosen = if ($want) {
            $want -eq $index -or $want -eq $type -or ($want -like 'inuse_*' -and $want.Substring(6) -eq $type)
        }
        else { $rest -match '\(default\)' }
        if ($chosen) { return Get-CountName $type $unit }
    }
    return ''
}

# The pipeline. Only -p and -r write to the output stream (the tool's stdout); the exit status
# goes into $script:ExitStatus.
function Invoke-GoTorch([string]$Temp) {
    $script:ExitStatus = 1
    $sources = @($Settings.Sources)
    $source = if ($sources.Count -gt 0) { $sources[-1] } else { '' }

    # 1. The profile: a saved file, or fetched into the temporary folder.
    if ($Settings.BinaryInput) { $profilePath = $Settings.BinaryInput }
    elseif ($source -and (Test-Path -LiteralPath $source -PathType Leaf)) { $profilePath = $source }
    else {
        $profilePath = Join-Path $Temp 'profile'
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
    if ($Settings.Raw) {
        $collapse = Find-Tool 'pprof-collapse'
        & $collapse @sampleArgs $profilePath
        $script:ExitStatus = $LASTEXITCODE
        return
    }
    $folded = Join-Path $Temp 'folded'
    $status = Invoke-ToFile 'pprof-collapse' (@($sampleArgs) + $profilePath) $folded
    if ($status -ne 0) { $script:ExitStatus = $status; return }

    # 3. and 4. The unit of that column as --countname, and the flame graph.
    $graphArgs = @()
    $countName = Find-CountName $profilePath $sampleArgs
    if ($countName) { $graphArgs += @('--countname', $countName) }
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
