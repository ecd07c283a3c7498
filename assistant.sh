#!/usr/bin/env bash
# Quick start for the Nekpijn-assistent.
#
#   ./assistant.sh              install whatever is missing, then run a consultation (assistant intake)
#   ./assistant.sh test [ARGS]  install whatever is missing, then run pytest (ARGS go to pytest;
#                               again with --records-engine postgresql where PostgreSQL is
#                               installed), ruff and mypy; exits non-zero when any of them fails
#   ./assistant.sh ARGS...      anything else goes to the assistant CLI, e.g.
#                               ./assistant.sh classify --findings f.json
#                               ./assistant.sh intake --text
#                               (it runs in the folder you are in: relative paths mean what they say)
#
# What it installs, only when missing:
#   - Debian/Ubuntu packages espeak-ng libespeak-ng1 libportaudio2 alsa-utils (apt-get, via sudo
#     when not root; without root or sudo it says what to install and carries on), plus
#     python3-venv when python3 has no ensurepip and uv has to be bootstrapped;
#   - uv: the one on PATH, else a private copy in .tools/ (python3 -m venv + pip install uv);
#   - the project's environment .venv, exactly as uv.lock says (uv sync --frozen).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CALLER_DIR="$PWD" # the assistant runs here, so relative paths (--findings f.json) mean what they say
cd "$ROOT"

export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1
unset VIRTUAL_ENV # an activated venv elsewhere only makes uv warn; .venv is the project's

# CI may start us with stdin closed; give later commands an empty one instead of a bad descriptor.
if ! { true <&0; } 2>/dev/null; then
    exec </dev/null
fi

say() { printf '%s: %s\n' "$0" "$*" >&2; } # named as started: ./assistant.sh
die() {
    local code=$1
    shift
    say "fout: $*"
    exit "$code"
}

SYSTEM_PACKAGES=(espeak-ng libespeak-ng1 libportaudio2 alsa-utils)
TOOLS="$ROOT/.tools"

# --- Python >= 3.11 ---------------------------------------------------------------------------
PY="$(command -v python3 || true)"
if [[ -z "$PY" ]]; then
    die 2 "python3 niet gevonden; installeer Python 3.11 of nieuwer (Debian/Ubuntu: sudo apt-get install python3)"
fi
if ! PY_VERSION="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)"; then
    die 2 "python3 ($PY) start niet; installeer Python 3.11 of nieuwer"
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    die 2 "python3 ($PY) is Python $PY_VERSION; de assistent heeft Python 3.11 of nieuwer nodig"
fi
# Resolve shims (pyenv, ...) to the real interpreter, and let uv build .venv from it.
PY="$("$PY" -c 'import sys; print(sys.executable)')"
PY_PREFIX="$("$PY" -c 'import sys; print(sys.base_prefix)')" # /usr: the distribution's Python
export UV_PYTHON="${UV_PYTHON:-$PY}"

# --- uv: on PATH, or bootstrapped into .tools/ ------------------------------------------------
UV=""
if command -v uv >/dev/null 2>&1; then
    UV="$(command -v uv)"
elif [[ -x "$TOOLS/bin/uv" ]] && "$TOOLS/bin/uv" --version >/dev/null 2>&1; then
    UV="$TOOLS/bin/uv"
fi

has_ensurepip() { "$PY" -c 'import ensurepip' >/dev/null 2>&1; }

# --- system packages (Debian/Ubuntu) ----------------------------------------------------------
is_installed() {
    local status
    status="$(dpkg -s "$1" 2>/dev/null)" || return 1
    [[ "$status" == *"Status: install ok installed"* ]]
}

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    else
        sudo "$@"
    fi
}

can_be_root() {
    [[ "$(id -u)" -eq 0 ]] && return 0
    command -v sudo >/dev/null 2>&1 || return 1
    sudo -n true 2>/dev/null && return 0
    # sudo wants a password: only worth asking when someone can type it.
    { : </dev/tty; } 2>/dev/null
}

apt_get() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 "$@" </dev/null
}

install_system_packages() {
    if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        say "geen dpkg/apt-get: geen Debian/Ubuntu, dus geen systeempakketten geïnstalleerd" \
            "(installeer voor spraak zelf espeak-ng, PortAudio en de ALSA-hulpprogramma's)"
        return 0
    fi
    local missing=() pkg
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if [[ -z "$UV" ]] && ! has_ensurepip && [[ "$PY_PREFIX" == /usr ]]; then
        missing+=(python3-venv) # Debian's python3 splits ensurepip off into python3-venv
    fi
    if [[ ${#missing[@]} -eq 0 ]]; then
        return 0
    fi
    if ! can_be_root; then
        say "geen root en geen sudo: installeer de systeempakketten zelf: sudo apt-get install ${missing[*]}"
        return 0
    fi
    say "systeempakketten installeren: ${missing[*]}"
    local log
    log="$(mktemp)"
    if apt_get update -q >"$log" 2>&1 && apt_get install -y -q "${missing[@]}" >>"$log" 2>&1; then
        rm -f "$log"
        return 0
    fi
    tail -n 15 "$log" >&2
    rm -f "$log"
    say "de systeempakketten zijn niet geïnstalleerd; installeer ze zelf: sudo apt-get install ${missing[*]}"
}

install_system_packages

# --- bootstrap uv into .tools/ ----------------------------------------------------------------
if [[ -z "$UV" ]]; then
    if ! has_ensurepip; then
        die 2 "python3 ($PY) kan geen virtuele omgeving met pip maken (geen ensurepip)." \
            "Installeer python3-venv (Debian/Ubuntu: sudo apt-get install python3-venv python$PY_VERSION-venv) of uv" \
            "(https://docs.astral.sh/uv/getting-started/installation/) en start dit opnieuw"
    fi
    say "uv installeren in .tools/ (eenmalig)"
    if ! "$PY" -m venv --clear "$TOOLS" </dev/null >/dev/null ||
        ! "$TOOLS/bin/python" -m pip install -q uv </dev/null; then
        rm -rf "$TOOLS"
        die 2 "uv kon niet in .tools/ worden geïnstalleerd (zie de meldingen hierboven);" \
            "installeer uv zelf (https://docs.astral.sh/uv/getting-started/installation/) en start dit opnieuw"
    fi
    UV="$TOOLS/bin/uv"
fi

# --- the project's environment ----------------------------------------------------------------
# Trust the system's certificate store, as pip and apt do (a corporate proxy's root CA lives there);
# on its own uv trusts only its bundled Mozilla roots. Newer uv spells the switch UV_SYSTEM_CERTS.
if [[ -z "${UV_NATIVE_TLS:-}${UV_SYSTEM_CERTS:-}${SSL_CERT_FILE:-}" && -s /etc/ssl/certs/ca-certificates.crt ]]; then
    uv_help="$("$UV" sync --help 2>/dev/null || true)"
    if [[ "$uv_help" == *UV_SYSTEM_CERTS* ]]; then
        export UV_SYSTEM_CERTS=1
    else
        export UV_NATIVE_TLS=1
    fi
fi
if [[ ! -d .venv ]]; then
    say ".venv maken volgens uv.lock (uv sync --frozen)"
fi
if ! "$UV" sync --frozen --quiet </dev/null; then
    die 2 "uv sync --frozen is mislukt (zie de meldingen hierboven)"
fi

# --- run --------------------------------------------------------------------------------------
if [[ "${1:-}" == "test" ]]; then
    shift
    failed=()
    check() {
        local name=$1 rc=0
        shift
        say "bezig met $name"
        "$UV" run --frozen "$@" </dev/null || rc=$?
        if [[ $name == pytest && $rc -eq 5 ]]; then
            say "pytest vond geen tests; er horen tests te zijn"
        fi
        if [[ $rc -eq 0 ]]; then
            say "$name: goed"
        else
            say "$name: MISLUKT (exitcode $rc)"
            failed+=("$name")
        fi
    }
    check pytest pytest -q "$@"
    # the whole suite once more with the records on a private PostgreSQL server (tests start
    # their own; CI installs postgresql): where it is installed, and always in CI
    if [[ -n "${CI:-}" ]] || command -v initdb >/dev/null 2>&1 \
            || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        check "pytest (PostgreSQL)" pytest -q --records-engine postgresql "$@"
    else
        say "de tests op PostgreSQL overgeslagen: PostgreSQL is niet geïnstalleerd" \
            "(sudo apt-get install postgresql)"
    fi
    check ruff ruff check .
    check mypy mypy
    if [[ ${#failed[@]} -gt 0 ]]; then
        say "mislukte controles: ${failed[*]}"
        exit 1
    fi
    say "alle controles geslaagd (pytest, ruff, mypy)"
    exit 0
fi

if [[ $# -eq 0 ]]; then
    set -- intake
fi
cd "$CALLER_DIR"
# The commands the assistant's messages suggest ("ga verder met '…'") name this script as typed.
case "$0" in
    */*) ASSISTANT_COMMAND="${ASSISTANT_COMMAND:-$0}" ;;
    *) ASSISTANT_COMMAND="${ASSISTANT_COMMAND:-./$0}" ;;
esac
export ASSISTANT_COMMAND
exec "$UV" run --frozen --project "$ROOT" assistant "$@"
