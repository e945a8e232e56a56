_pprof__collapse() {
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
                cmd="pprof__collapse"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        pprof__collapse)
            opts="-i -h -V --sample_index --sample-index --inuse_space --inuse_objects --alloc_space --alloc_objects --labels --tag-root --tag-leaf --lines --state --group-by-state --created-by --minutes --all-goroutines --list --focus --ignore --hide --show --show-from --show_from --prune-from --prune_from --tagfocus --tagignore --tagshow --taghide --base --diff-base --diff_base --normalize --drop-negative --drop_negative --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --sample-index)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sample_index)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tag-root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tag-leaf)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --focus)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ignore)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --hide)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --show)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --show_from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --show-from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --prune_from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --prune-from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tagfocus)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tagignore)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tagshow)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --taghide)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --base)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --diff_base)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --diff-base)
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
    complete -F _pprof__collapse -o nosort -o bashdefault -o default pprof-collapse
else
    complete -F _pprof__collapse -o bashdefault -o default pprof-collapse
fi
