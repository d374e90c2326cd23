#!/usr/bin/env bash
# Builds a README's quick start as a user would: a new crate outside the workspace whose
# Cargo.toml has the README's `[dependencies]` block and whose main.rs is the README's first
# rust block of "Quick start", with `[patch.crates-io]` pointing agent-tasks (and
# agent-tasks-raw) at this checkout. Fails when the quick start does not build on its own, for
# example when it uses a crate its `[dependencies]` block does not list.
#
# Usage: .ci/quickstart.sh [README ...]   (default: README.md crates/agent-tasks/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
readmes=("$@")
if [ ${#readmes[@]} -eq 0 ]; then
  readmes=(README.md crates/agent-tasks/README.md)
fi

# Prints the body of the first fenced block of kind $2 (toml, rust...) in section $3 of $1.
# rustdoc's hidden lines ("# code") are code too: their "# " is dropped.
block() {
  awk -v kind="$2" -v section="$3" '
    /^## / { in_section = ($0 == "## " section) }
    in_section && !done && !inside && $0 ~ "^```" kind "([,].*)?$" { inside = 1; next }
    inside && /^```/ { inside = 0; done = 1; next }
    inside {
      if ($0 == "#") print ""
      else if ($0 ~ /^# /) print substr($0, 3)
      else print
    }
  ' "$1"
}

status=0
for readme in "${readmes[@]}"; do
  echo "--- quick start of $readme"
  scratch=$(mktemp -d)
  toml=$(block "$readme" toml "Quick start")
  code=$(block "$readme" rust "Quick start")
  if [ -z "$toml" ] || [ -z "$code" ]; then
    echo "no toml or rust block under \"## Quick start\" in $readme" >&2
    exit 1
  fi
  mkdir -p "$scratch/src"
  {
    printf '[package]\nname = "quickstart"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
    printf '# Its own workspace: not a member of the checkout it patches in.\n[workspace]\n\n'
    printf '%s\n\n' "$toml"
    printf '[patch.crates-io]\n'
    printf 'agent-tasks = { path = "%s/crates/agent-tasks" }\n' "$root"
    printf 'agent-tasks-raw = { path = "%s/crates/agent-tasks-raw" }\n' "$root"
  } > "$scratch/Cargo.toml"
  printf '%s\n' "$code" > "$scratch/src/main.rs"
  # Start from the workspace's lock, so that the versions are the ones CI tests; offline when
  # everything it needs is already downloaded, else from crates.io.
  cp Cargo.lock "$scratch/Cargo.lock"
  offline=()
  if (cd "$scratch" && cargo fetch --offline --quiet >/dev/null 2>&1); then
    offline=(--offline)
  fi
  echo "Cargo.toml:"
  sed 's/^/    /' "$scratch/Cargo.toml"
  if (cd "$scratch" && CARGO_TARGET_DIR="$root/target/quickstart" cargo build "${offline[@]}" --quiet); then
    echo "ok: the quick start of $readme builds on its own"
  else
    echo "FAIL: the quick start of $readme does not build with only its [dependencies] block" >&2
    status=1
  fi
  rm -rf "$scratch"
done
exit $status
