complete -c flamegraph -l title -d 'Heading text [default: Flame Graph, Icicle Graph with --inverted, Flame Chart with --flamechart]' -r
complete -c flamegraph -l subtitle -d 'Second heading, below the title [default: none]' -r
complete -c flamegraph -l width -d 'Image width in pixels, an integer [default: 1200]' -r
complete -c flamegraph -l height -d 'Height of each frame row in pixels, an integer [default: 16]' -r
complete -c flamegraph -l minwidth -d 'Omit frames narrower than N pixels, or than N percent of the total with a trailing % [default: 0.1]' -r
complete -c flamegraph -l fonttype -d 'Font family of all text [default: Verdana]' -r
complete -c flamegraph -l fontsize -d 'Font size in pixels; also sets the paddings [default: 12]' -r
complete -c flamegraph -l fontwidth -d 'Average glyph width as a fraction of the font size, for label truncation [default: 0.59]' -r
complete -c flamegraph -l countname -d 'Unit of the counts, shown in tooltips; any other than `samples` silences the low-count warning [default: samples]' -r
complete -c flamegraph -l units -d 'Unit of the counts, as pprof names it: memory (bytes, kB, MB, ...) and time (nanoseconds, us, ms, seconds, hours) units show tooltips as `go tool pprof` labels (1.50MB, 35.20ms); any other unit (count, goroutines, ...) only names the counts' -r
complete -c flamegraph -l nametype -d 'Prefix of the hover details line [default: Function:]' -r
complete -c flamegraph -l colors -d 'Palette; `go` colors Go frames by kind: runtime red, standard library yellow, main green, modules aqua, labels purple, goroutine states blue, unsymbolized and native orange [default: hot]' -r -f -a "hot\t''
mem\t''
io\t''
red\t''
green\t''
blue\t''
yellow\t''
purple\t''
aqua\t''
orange\t''
java\t''
perl\t''
js\t''
wakeup\t''
chain\t''
go\t''"
complete -c flamegraph -l bgcolors -d 'Background: yellow, blue, green, grey or #rrggbb [default: derived from the palette]' -r
complete -c flamegraph -l notes -d 'Text of an XML comment at the top of the SVG' -r
complete -c flamegraph -l total -d 'Total used for scaling instead of the sum of the counts (ignored when smaller)' -r
complete -c flamegraph -l factor -d 'Multiply the displayed counts (not the widths) by N, not 0 [default: 1]' -r
complete -c flamegraph -l nameattr -d 'Per-function SVG attributes: lines FUNC<TAB>key=value<TAB>... (title, id, class, g_extra, href, target, a_extra)' -r
complete -c flamegraph -l encoding -d 'Encoding named in the XML declaration (the output is UTF-8 regardless)' -r
complete -c flamegraph -l hash -d 'Colors from a hash of the function name (similar names get similar colors)'
complete -c flamegraph -l random -d 'Random colors, different on every run (--hash wins)'
complete -c flamegraph -l cp -d 'Consistent palette: reuse and update the colors stored in ./palette.map'
complete -c flamegraph -l reverse -d 'Reverse every stack (leaf first) before merging'
complete -c flamegraph -l inverted -d 'Icicle graph: the root at the top'
complete -c flamegraph -l flamechart -d 'Flame chart: keep input order (x axis = time), merge only adjacent identical stacks'
complete -c flamegraph -l negate -d 'Swap the red/blue hues of a differential graph and the sign of the delta'
complete -c flamegraph -l html -d 'Write a canvas HTML page instead of the SVG: fast at any size, keeps every frame (--minwidth defaults to 0)'
complete -c flamegraph -l help -d 'Print this help and exit'
complete -c flamegraph -l version -d 'Print the version and exit'
