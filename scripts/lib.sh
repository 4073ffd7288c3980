# Shared by scripts/serve and scripts/test: install what is missing (and only that), then time
# each stage. Everything comes from crates.io, npm or apt; nothing else is downloaded.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/tools/node_modules/.bin:$PATH"
export DEBIAN_FRONTEND=noninteractive
# Trunk must never try to download tools (or check for its own updates): offline is the contract.
export TRUNK_OFFLINE=true TRUNK_SKIP_VERSION_CHECK=true

TRUNK_VERSION=0.21.14
TIMINGS=()

now_ms() { date +%s%3N; }
# seconds_since START_MS: elapsed time as "12.3".
seconds_since() {
  local ms=$(($(now_ms) - $1))
  echo "$((ms / 1000)).$((ms % 1000 / 100))"
}

# stage NAME COMMAND...: runs COMMAND, prints how long it took, stops everything on failure.
stage() {
  local name="$1"; shift
  local start took
  echo "==> $name"
  start=$(now_ms)
  if "$@"; then
    took=$(seconds_since "$start")
    TIMINGS+=("$(printf '%-38s %8s s' "$name" "$took")")
    echo "<== $name: $took s"
  else
    local code=$?
    echo "!!! $name FAILED (exit $code) after $(seconds_since "$start") s" >&2
    print_timings
    exit "$code"
  fi
}

print_timings() {
  echo "---- stage durations ----"
  local line
  for line in "${TIMINGS[@]}"; do echo "$line"; done
}

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -q && APT_UPDATED=1 || return 1; fi
  apt-get install -y -q "$@"
}

# The wasm-bindgen version trunk needs: exactly the one Cargo.lock resolved.
lock_version() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# Each check is chained with && because `stage` runs functions where `set -e` does not apply.
ensure_base_tools() {
  { command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm; } \
    && { command -v gzip >/dev/null || apt_install gzip; } \
    && { cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt; } \
    && { cargo clippy --version >/dev/null 2>&1 || rustup component add clippy; }
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
}

ensure_trunk() {
  [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ] \
    || cargo install trunk --version "$TRUNK_VERSION" --locked
}

ensure_wasm_bindgen() {
  local want; want="$(lock_version wasm-bindgen)"
  [ -n "$want" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; return 1; }
  # Not --locked: the CLI's own lockfile pins a webpki-roots that crates.io no longer has.
  [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ] \
    || cargo install wasm-bindgen-cli --version "$want" --force
}

# npm_ci DIR: install DIR's node_modules from its committed lockfile, unless already current.
npm_ci() {
  local dir="$1"
  if [ -f "$dir/node_modules/.package-lock.json" ] \
     && [ ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    return 0
  fi
  (cd "$dir" && npm ci --no-audit --no-fund)
}

ensure_wasm_opt() { npm_ci tools; }

ensure_chromium() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || apt_install chromium chromium-driver
}

ensure_build_tools() {
  stage "check base tools" ensure_base_tools
  stage "ensure wasm32 target" ensure_wasm_target
  stage "ensure trunk $TRUNK_VERSION" ensure_trunk
  stage "ensure wasm-bindgen-cli" ensure_wasm_bindgen
  stage "ensure wasm-opt (npm binaryen)" ensure_wasm_opt
  stage "cargo fetch" cargo fetch
}
