# shellcheck shell=bash
# Sourced by scripts/run and scripts/test: make .venv and install dockui into it when needed.
ensure_venv() {
    local extra="${1:-}" root stamp want have
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    cd "$root" || return 1
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv || { echo "dockui: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2; return 1; }
    fi
    want="$(sha256sum pyproject.toml | cut -c1-16)-pth-${extra}"
    stamp=.venv/.dockui-installed
    have="$(cat "$stamp" 2>/dev/null || true)"
    # an install with the test extra also serves a plain run
    if [ "$have" != "$want" ] && { [ -n "$extra" ] || [ "$have" != "${want}test" ]; }; then
        .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
        # a plain path entry (.pth) rather than setuptools' import-hook finder: the finder costs every
        # start ~30 ms (it loads pathlib and importlib machinery before anything else); should a
        # later setuptools drop the 'compat' mode, the default editable install is used instead
        local target="."
        [ -n "$extra" ] && target=".[$extra]"
        .venv/bin/python -m pip install -q -e "$target" --config-settings editable_mode=compat >/dev/null 2>&1 \
            || .venv/bin/python -m pip install -q -e "$target" || return 1
        echo "$want" > "$stamp"
    fi
}
