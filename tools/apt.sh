# Sourced by ensure_browser.sh and ensure_tex.sh, after they set WHO to their name.
say() { echo "$WHO: $*"; }

apt_missing() {  # PACKAGE...: apt-get install them as root on Debian/Ubuntu, else return 1
    [ $# -gt 0 ] || return 0
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
        && grep -Eqi '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release 2>/dev/null || return 1
    say "installing with apt-get: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q --no-install-recommends "$@" \
        || { say "apt-get install $* failed (see above)" >&2; exit 1; }
}

give_up() {  # MESSAGE SKIPPED [MUST]: an error with CI=true or MUST=1, else go on without
    echo "$WHO: $1" >&2
    if [ "${CI:-}" = true ] || [ "${3:-}" = 1 ]; then exit 1; fi
    say "continuing: $2 (CI=true makes that an error)." >&2
}
