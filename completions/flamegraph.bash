_flamegraph() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="flamegraph"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        flamegraph)
            opts="--title --subtitle --width --height --minwidth --fonttype --fontsize --fontwidth --countname --units --nametype --colors --bgcolors --hash --random --cp --reverse --inverted --flamechart --negate --notes --total --factor --nameattr --encoding --html --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --title)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --subtitle)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --width)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --height)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --minwidth)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fonttype)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fontsize)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fontwidth)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --countname)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --units)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --nametype)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --colors)
                    COMPREPLY=($(compgen -W "hot mem io red green blue yellow purple aqua orange java perl js wakeup chain go" -- "${cur}"))
                    return 0
                    ;;
                --bgcolors)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notes)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --total)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --factor)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --nameattr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --encoding)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _flamegraph -o nosort -o bashdefault -o default flamegraph
else
    complete -F _flamegraph -o bashdefault -o default flamegraph
fi
