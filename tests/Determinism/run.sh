#!/usr/bin/env bash
# Cross-framework determinism: the same seeded workload gives the same bits on net8.0 and on net10.0.
#
#   1. publishes tests/Determinism (Release) into a fresh temporary folder twice: for net10.0 framework-dependent
#      (the installed runtime), and for net8.0 self-contained for this machine's runtime identifier, which brings the
#      .NET 8 runtime from its NuGet runtime pack (the SDK picks the latest 8.0 patch it knows; nothing is pinned);
#   2. runs both; each prints one line per item, "name sha256-of-every-final-bit" (see Program.cs), and names its
#      runtime on standard error, which is checked (8.0.x and 10.0.x);
#   3. prints the two outputs side by side and fails if an item is missing or its hash differs, and if, within either
#      run, an optimizer run cut into two parts on worker threads ("parallel2/…") differs from its single-threaded
#      run ("optimizer/…").
#
# Usage: bash tests/Determinism/run.sh        (KEEP_DETERMINISM_DIR=1 keeps the temporary folder for a look)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1   # leave no MSBuild worker processes behind

work="$(mktemp -d "${TMPDIR:-/tmp}/optimizers-determinism.XXXXXX")"
cleanup() {
    if [[ "${KEEP_DETERMINISM_DIR:-0}" == 1 ]]; then echo "determinism: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "determinism: FAILED: $*" >&2; exit 1; }

project="$here/Optimizers.Determinism.csproj"
rid="$(dotnet --info | awk '$1 == "RID:" { print $2; exit }')"
[[ -n "$rid" ]] || fail "could not read the runtime identifier from dotnet --info"

# 1. Publish (one after the other: the machine's cores are shared).
echo "determinism: publishing for net10.0 (framework-dependent)"
dotnet publish "$project" -c Release -f net10.0 -o "$work/net10.0" -nologo -v quiet
echo "determinism: publishing for net8.0 (self-contained, $rid)"
dotnet publish "$project" -c Release -f net8.0 -r "$rid" --self-contained -o "$work/net8.0" -nologo -v quiet

# 2. Run.
dotnet "$work/net10.0/Optimizers.Determinism.dll" >"$work/net10.0.txt" 2>"$work/net10.0.err" \
    || { cat "$work/net10.0.err" >&2; fail "the net10.0 run failed"; }
"$work/net8.0/Optimizers.Determinism" >"$work/net8.0.txt" 2>"$work/net8.0.err" \
    || { cat "$work/net8.0.err" >&2; fail "the net8.0 run failed"; }
cat "$work/net8.0.err" "$work/net10.0.err"
grep -q '^determinism: \.NET 8\.0\.' "$work/net8.0.err" || fail "the net8.0 build did not run on .NET 8"
grep -q '^determinism: \.NET 10\.0\.' "$work/net10.0.err" || fail "the net10.0 build did not run on .NET 10"

# 3. Compare, item by item, side by side (first 16 hex digits of each hash; the full lines are compared).
awk '
    FNR == 1 { file++ }
    NF != 2 { printf "malformed line %d of run %d: %s\n", FNR, file, $0; bad = 1; next }
    file == 1 { order[++n] = $1; net8[$1] = $2; next }
    { net10[$1] = $2; if (!($1 in net8)) { printf "%s: only on net10.0\n", $1; bad = 1 } }
    END {
        printf "%-62s %-16s %-16s\n", "item", "net8.0", "net10.0"
        for (i = 1; i <= n; i++) {
            name = order[i]
            if (!(name in net10)) { printf "%s: only on net8.0\n", name; bad = 1; continue }
            same = net8[name] == net10[name]
            printf "%-62s %-16s %-16s %s\n", name, substr(net8[name], 1, 16), substr(net10[name], 1, 16), same ? "same" : "DIFFERS"
            if (!same) { differing = differing " " name; bad = 1 }
            else identical++
            if (name ~ /^parallel2\//) {
                serial = name; sub(/^parallel2\//, "optimizer/", serial); parallel++
                if (net8[name] != net8[serial] || net10[name] != net10[serial]) {
                    printf "%s: MaxDegreeOfParallelism 2 differs from 1 (%s)\n", name, serial; bad = 1
                }
            }
        }
        if (n == 0 || parallel == 0) { print "no items"; bad = 1 }
        if (differing != "") printf "items that differ between net8.0 and net10.0:%s\n", differing
        if (bad) exit 1
        printf "determinism: %d items identical on net8.0 and net10.0 (%d of them with MaxDegreeOfParallelism 2, equal to 1)\n", identical, parallel
    }
' "$work/net8.0.txt" "$work/net10.0.txt" || fail "see the lines above"
