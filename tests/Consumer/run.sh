#!/usr/bin/env bash
# Consumer test: proves the NuGet package the way a user meets it.
#
#   1. `dotnet pack` src/Optimizers (Release) into a local folder feed in a fresh temporary folder;
#   2. checks the package's contents: both target frameworks' DLL and XML docs, PACKAGE.md as the package's
#      readme, licence, MathNet.Numerics as the only dependency, no test or sample code, and a .snupkg beside it;
#   3. creates a fresh xunit project in that temporary folder (outside the repository, so none of the
#      repository's Directory.Build.props / Directory.Packages.props apply), referencing
#      `Optimizers` by id and version, with a NuGet.config that adds the local feed to the machine's
#      and user's usual sources (for xunit and MathNet.Numerics);
#   4. restores it into a fresh, empty NuGet packages folder, so that a package of the same id and version
#      cached by an earlier run (or restored from elsewhere) can never stand in for the one just packed,
#      and checks that Optimizers was restored from the local feed, byte for byte;
#   5. runs its tests (tests/Consumer/ConsumerTests.cs): hand-checked GradientDescent and Momentum steps
#      and a tiny network trained on XOR;
#   6. does what README.md's Quick start tells a user to: pastes its first C# block into Program.cs of a new
#      console project (`dotnet new console`, `dotnet add package Optimizers`), runs it, and checks that it prints
#      exactly the README's output block after it.
#
# Usage: bash tests/Consumer/run.sh        (KEEP_CONSUMER_DIR=1 keeps the temporary folder for a look)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1   # leave no MSBuild worker processes behind

work="$(mktemp -d "${TMPDIR:-/tmp}/optimizers-consumer.XXXXXX")"
cleanup() {
    if [[ "${KEEP_CONSUMER_DIR:-0}" == 1 ]]; then echo "consumer: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
feed="$work/feed" project="$work/Consumer.Tests"
mkdir -p "$feed" "$project"

fail() { echo "consumer: FAILED: $*" >&2; exit 1; }
# A .nupkg is a zip: list it / print one entry, with unzip where installed, else with Python's zipfile.
zip_list() {
    if command -v zipinfo >/dev/null; then zipinfo -1 "$1"
    else python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; fi
}
zip_cat() {
    if command -v unzip >/dev/null; then unzip -p "$1" "$2"
    else python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' "$1" "$2"; fi
}

# Versions: the package's own, and the test packages pinned centrally for the repository's tests.
version="$(dotnet msbuild "$repo/src/Optimizers/Optimizers.csproj" -getProperty:Version)"
pinned() {
    sed -n "s/.*<PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" "$repo/Directory.Packages.props"
}
test_sdk="$(pinned Microsoft.NET.Test.Sdk)" xunit="$(pinned xunit)" runner="$(pinned xunit.runner.visualstudio)"
[[ -n "$version" && -n "$test_sdk" && -n "$xunit" && -n "$runner" ]] || fail "could not read the versions"
echo "consumer: packing Optimizers $version into $feed"

# 1. Pack.
dotnet pack "$repo/src/Optimizers/Optimizers.csproj" -c Release -o "$feed" -v quiet -nologo
nupkg="$feed/Optimizers.$version.nupkg"
[[ -f "$nupkg" ]] || fail "no $nupkg"
[[ -f "$feed/Optimizers.$version.snupkg" ]] || fail "no symbols package"

# 2. Contents.
entries="$(zip_list "$nupkg")"
for entry in lib/net8.0/Optimizers.dll lib/net8.0/Optimizers.xml lib/net10.0/Optimizers.dll \
             lib/net10.0/Optimizers.xml PACKAGE.md LICENSE Optimizers.nuspec; do
    grep -qx "$entry" <<<"$entries" || fail "$entry missing from the package"
done
if grep -v -x -E 'lib/net(8|10)\.0/Optimizers\.(dll|xml)|PACKAGE\.md|LICENSE|Optimizers\.nuspec|_rels/\.rels|\[Content_Types\]\.xml|package/services/metadata/core-properties/[^/]+\.psmdcp' \
        <<<"$entries"; then
    fail "unexpected files in the package (above)"
fi
nuspec="$(zip_cat "$nupkg" Optimizers.nuspec)"
dependencies="$(grep -o '<dependency id="[^"]*"' <<<"$nuspec" | sort -u)"
[[ "$dependencies" == '<dependency id="MathNet.Numerics"' ]] || fail "dependencies are not just MathNet.Numerics: $dependencies"
for tag in readme license repository releaseNotes; do
    grep -q "<$tag[ >]" <<<"$nuspec" || fail "nuspec has no <$tag>"
done
grep -q '<readme>PACKAGE.md</readme>' <<<"$nuspec" || fail "the package's readme is not PACKAGE.md"
cmp -s <(zip_cat "$nupkg" PACKAGE.md) "$repo/src/Optimizers/PACKAGE.md" || fail "the packed PACKAGE.md differs from src/Optimizers/PACKAGE.md"

# 3. A fresh user project, outside the repository, walled off from any Directory.*.props above it.
cp "$here/ConsumerTests.cs" "$project/"
sed -e "s/@OPTIMIZERS_VERSION@/$version/" -e "s/@TEST_SDK_VERSION@/$test_sdk/" \
    -e "s/@XUNIT_VERSION@/$xunit/" -e "s/@XUNIT_RUNNER_VERSION@/$runner/" \
    "$here/Consumer.Tests.csproj.in" > "$project/Consumer.Tests.csproj"
for file in Directory.Build.props Directory.Build.targets Directory.Packages.props; do
    echo '<Project />' > "$work/$file"
done
# No <clear/>: the feed is added to the sources this machine and user already have (xunit, MathNet.Numerics).
cat > "$work/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="optimizers-local-feed" value="$feed" />
  </packageSources>
</configuration>
EOF

# 4. Restore into an empty packages folder, then check where Optimizers came from.
export NUGET_PACKAGES="$work/packages"
dotnet restore "$project" -v quiet -nologo
restored="$NUGET_PACKAGES/optimizers/$version"
grep -q "\"source\": \"$feed" "$restored/.nupkg.metadata" || fail "Optimizers $version was not restored from $feed"
cmp -s "$nupkg" "$restored/optimizers.$version.nupkg" || fail "the restored package differs from the packed one"

# 5. Run the user's tests against the package.
dotnet test "$project" --no-restore -nologo

# 6. The README's Quick start, pasted as a user would: its first C# block becomes Program.cs of a new console
#    project that gets the package with `dotnet add package`. Its output must be the README's output block after it.
readme_block() {   # the lines of the first README.md code block fenced as ```$1, as a reader copies them
    awk -v fence='```'"$1" '!done && $0 == fence { inside = 1; next }
                            inside && $0 == "```" { inside = 0; done = 1; next }
                            inside { print }' "$repo/README.md"
}
quick_start="$(readme_block csharp)" expected="$(readme_block text)"
[[ -n "$quick_start" && -n "$expected" ]] || fail "README.md has no Quick start (a csharp block) or no output (a text block)"
app="$work/QuickStart"
dotnet new console -o "$app" -n QuickStart --no-update-check >/dev/null
printf '%s\n' "$quick_start" > "$app/Program.cs"
dotnet add "$app" package Optimizers --version "$version" >/dev/null
dotnet build "$app" -warnaserror -v quiet -nologo >/dev/null || { dotnet build "$app" -warnaserror -nologo; fail "the Quick start does not build as pasted (without warnings)"; }
# Invariant culture: the README shows the numbers as the tests format them (1.5, not 1,5).
actual="$(DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 dotnet run --project "$app" --no-build)" || fail "the Quick start failed:
$actual"
[[ "$actual" == "$expected" ]] || fail "the Quick start printed
$actual
but README.md shows
$expected"
echo "consumer: the Quick start runs as pasted and prints:"
echo "$actual"
echo "consumer: Optimizers $version passed as a package"
