# bash completion for riotoasterd, riotoast and rio-replay.
#
# Installed once per command name under share/bash-completion/completions
# (bash-completion loads it on first use), or sourced by hand:
#     . completions/rio.bash
# Options and commands are read from the program's own --help (and
# `COMMAND --help`) when completing, so they can never drift from it.

# The program's help text: `_rio_help PROG [COMMAND]`.
_rio_help()
{
    LC_ALL=C "$@" --help 2>/dev/null
}

# Long options of a help text, one per line, "=" appended to those that
# take a value ("  -s, --serials=LIST   ..." gives "--serials=").
_rio_options()
{
    sed -n 's/^ \{1,\}\(-[A-Za-z0-9], \)\{0,1\}\(--[A-Za-z0-9][A-Za-z0-9-]*\)\(=\{0,1\}\).*/\2\3/p'
}

# Commands of a help text: the words of its "Commands:" section.
_rio_commands()
{
    sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p'
}

# Commands of a help text that are groups of commands: their row reads
# "NAME COMMAND [ARG...]" ("riotoast modem").
_rio_groups()
{
    sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) COMMAND .*$/\1/p'
}

# Values of an option's argument, where the set is known.
_rio_values()
{
    local prog=$1 opt=$2
    case $opt in
        --fault) printf '%s\n' list; LC_ALL=C "$prog" --fault list 2>/dev/null | cut -f1 ;;
        --timing) printf '%s\n' fast original ;;
        --junit|--data|--bread|--listen|--target|--server|--filter) return 1 ;;
        *) return 2 ;;
    esac
}

_rio_complete()
{
    local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=""
    local i word command="" opts commands
    COMPREPLY=()
    command -v "$prog" >/dev/null 2>&1 || return 0

    # "--opt=value": bash splits at "=" (COMP_WORDBREAKS); so does "--opt value".
    if [ "$COMP_CWORD" -ge 2 ] && [ "${COMP_WORDS[COMP_CWORD-1]}" = "=" ]; then
        prev=${COMP_WORDS[COMP_CWORD-2]}
    elif [ "$cur" = "=" ]; then
        prev=${COMP_WORDS[COMP_CWORD-1]}
        cur=""
    elif [ "$COMP_CWORD" -ge 1 ]; then
        prev=${COMP_WORDS[COMP_CWORD-1]}
    fi

    # The command (riotoast, rio-replay): the first word that is neither an
    # option nor an option's value.
    commands=$(_rio_help "$prog" | _rio_commands)
    opts=$(_rio_help "$prog" | _rio_options)
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            -*|=) continue ;;
        esac
        if [ "${COMP_WORDS[i-1]}" = "=" ]; then
            continue
        fi
        if printf '%s\n' "$opts" | grep -qx -- "${COMP_WORDS[i-1]}="; then
            continue
        fi
        if printf '%s\n' "$commands" | grep -qx -- "$word"; then
            command=$word
            break
        fi
    done
    if [ -n "$command" ]; then
        # A group of commands ("riotoast modem"): one of its own commands
        # comes next, and its options are those of that command.
        local subcommands="" sub=""
        if _rio_help "$prog" | _rio_groups | grep -qx -- "$command"; then
            subcommands=$(_rio_help "$prog" "$command" | _rio_commands)
            for ((i = i + 1; i < COMP_CWORD; i++)); do
                if printf '%s\n' "$subcommands" | grep -qx -- "${COMP_WORDS[i]}"; then
                    sub=${COMP_WORDS[i]}
                    break
                fi
            done
        fi
        opts=$(_rio_help "$prog" "$command" $sub | _rio_options)
        if [ -n "$subcommands" ] && [ -z "$sub" ]; then
            commands=$subcommands
            command=""
        fi
    fi
    # Every program and command takes --help, listed or not (rio-replay's
    # own help lists commands only); --version comes alone, before any command.
    printf '%s\n' "$opts" | grep -qx -- --help || opts="--help
$opts"
    if [ -z "$command" ] && [ "$COMP_CWORD" -eq 1 ]; then
        opts="$opts
--version"
    fi

    # The value of an option that takes one.
    case $prev in
        --*)
            if printf '%s\n' "$opts" | grep -qx -- "$prev="; then
                local values rc
                values=$(_rio_values "$prog" "$prev")
                rc=$?
                if [ $rc -eq 0 ]; then
                    mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
                elif [ $rc -eq 2 ]; then
                    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                fi
                return 0
            fi ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        # "--serials=" waits for its value: no space after it.
        if [ ${#COMPREPLY[@]} -eq 1 ] && [[ ${COMPREPLY[0]} == *= ]]; then
            compopt -o nospace 2>/dev/null
        fi
        return 0
    fi
    if [ -n "$commands" ] && [ -z "$command" ]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        return 0
    fi
    # Arguments of a command: captures and @FILEs are files.
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return 0
}

complete -F _rio_complete riotoasterd riotoast rio-replay
