#!/usr/bin/env bash
# Keeps the shared build cache ($CARGO_TARGET_DIR) under a size budget. Every change to a crate
# leaves its old test binaries and libraries behind (hundreds of MB each), so a developer's cache
# only grows. Past the budget, the files used longest ago go first (access time, which the kernel
# refreshes at least daily), until the cache is at two thirds of the budget. Only compiler
# outputs (deps/, examples/, incremental/) are removed: Cargo sees a missing output and rebuilds
# it, so this can only cost build time. Build-script outputs (build/) are left alone.
#   KIDYBOARD_CACHE_BUDGET_GB  budget in GiB (default 40; 0 turns pruning off)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

budget_gb="${KIDYBOARD_CACHE_BUDGET_GB:-40}"
dir="$CARGO_TARGET_DIR"
[[ "$budget_gb" != 0 && -d "$dir" ]] || exit 0

budget=$((budget_gb * 1024 * 1024 * 1024))
used=$(du -sb "$dir" | cut -f1)
(( used > budget )) || exit 0

goal=$((budget * 2 / 3))
echo "==> build cache $dir holds $((used >> 30)) GiB, over its ${budget_gb} GiB budget: removing the least recently used files down to $((goal >> 30)) GiB"
freed=0
while IFS=' ' read -r _ size path; do
  (( used - freed > goal )) || break
  rm -f -- "$path"
  freed=$((freed + size))
done < <(find "$dir" -mindepth 2 -type f \( -path '*/deps/*' -o -path '*/examples/*' -o -path '*/incremental/*' \) \
           -printf '%A@ %s %p\n' | sort -n)
find "$dir" -mindepth 2 -type d -empty -delete 2>/dev/null || true
echo "    freed $((freed >> 30)) GiB"
