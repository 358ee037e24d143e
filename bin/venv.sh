# shellcheck shell=bash
# The virtualenv of bin/run and bin/test, which source this file after defining
# say, die and install_python3_venv (Debian's python3 has no ensurepip without it).

# First of python3.11, python3 that is Python >= 3.11.
pick_python() {
    local candidate found
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    found=$(python3 --version 2>&1) || found="no python3 on PATH"
    die "Qandas needs Python 3.11 or newer (found: $found). On Debian: apt-get install python3"
}

venv_is_usable() {
    [[ -x .venv/bin/python && -x .venv/bin/pip ]] &&
        .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

# What pip is always told: every requirement pinned and hash-checked, no resolving.
PIP_OPTIONS=(--disable-pip-version-check --no-input --require-hashes --no-deps)

# create_venv PYTHON: a new .venv holding pip and uv (requirements/uv.txt).
# Quickest first: a venv without ensurepip's pip, the installers put into it by the
# machine's own pip (pip 22.3 or newer). Else the standard venv and its bundled pip,
# which then installs them (about half a minute more on a small machine).
create_venv() {
    local python=$1
    rm -rf .venv
    say "creating .venv with $python ($("$python" --version 2>&1))"
    if "$python" -m venv --without-pip .venv >/dev/null 2>&1 &&
        "$python" -m pip --python .venv/bin/python install --quiet "${PIP_OPTIONS[@]}" \
            -r requirements/uv.txt >/dev/null 2>&1 &&
        venv_is_usable; then
        return 0
    fi
    rm -rf .venv
    if ! "$python" -m venv .venv || [[ ! -x .venv/bin/pip ]]; then
        rm -rf .venv
        install_python3_venv
        if ! "$python" -m venv .venv || [[ ! -x .venv/bin/pip ]]; then
            die "could not create .venv with $python"
        fi
    fi
    # uv only saves time: without it, pip installs the requirements.
    .venv/bin/pip install --quiet "${PIP_OPTIONS[@]}" -r requirements/uv.txt ||
        say "could not install uv; pip will install the requirements"
}

# install_requirements NAME FILE: install FILE unless .venv/.installed-NAME already
# holds FILE's sha256 (the stamp disappears with the venv). uv when the venv has it
# (seconds to a minute), else pip (several minutes the first time); both check every
# hash. Both compile the packages' bytecode (about 15 s on two cores): where
# PYTHONDONTWRITEBYTECODE is set, as many containers do, Python would otherwise
# compile Django and the rest again in every process, 1.4 of the 2.5 s each command
# took to start.
install_requirements() {
    local name=$1 file=$2
    local stamp=".venv/.installed-$name" sum
    sum="$(sha256sum "$file" | cut -d' ' -f1) compiled"
    if [[ -f $stamp && $(<"$stamp") == "$sum" ]]; then
        return 0
    fi
    say "installing $file into .venv"
    if [[ -x .venv/bin/uv ]] && .venv/bin/uv pip install --python .venv/bin/python \
        --quiet --require-hashes --no-deps --compile-bytecode -r "$file"; then
        :
    else
        [[ ! -x .venv/bin/uv ]] || say "uv failed; installing with pip instead"
        .venv/bin/pip install "${PIP_OPTIONS[@]}" -r "$file"
        # pip leaves out what it had installed before; compileall skips what is compiled.
        .venv/bin/python -m compileall -q -j 0 .venv/lib >/dev/null
    fi
    printf '%s\n' "$sum" >"$stamp"
}
