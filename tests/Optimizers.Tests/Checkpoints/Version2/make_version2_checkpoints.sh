#!/usr/bin/env bash
# Writes the version-2 checkpoints of this folder with the library as it was before format version 3 (commit 578f615,
# the last commit that wrote version 2):
#
#   adam-amsgrad.v2.ckpt              float64 Adam (AMSGrad, weight decay 0.01, α = 0.01) over "w" (13) and "b" (3),
#                                     saved after step 4
#   rmsprop-centered-float32.v2.ckpt  float32 RMSProp (centred, momentum 0.9, α = 0.01) over the same parameters in
#                                     float32, saved after step 4
#
# The parameters start at w[i] = cos(i), b = (0.5, −0.25, 1); the gradient at step t is g[i] = sin(t + i)/2 + θ[i]/10
# (formed in double, rounded to the element type). Version2CheckpointTests repeats these: change both.
# Run from anywhere inside the repository:  bash tests/Optimizers.Tests/Checkpoints/Version2/make_version2_checkpoints.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel)"
work="$(mktemp -d)"
trap 'git -C "$repo" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$repo" worktree add --detach "$work/old" 578f615 >/dev/null

mkdir "$work/gen"
cat > "$work/gen/gen.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$work/old/src/Optimizers/Optimizers.csproj" />
  </ItemGroup>
</Project>
EOF

cat > "$work/gen/Program.cs" <<'CS'
using System.Numerics;
using Optimizers;
using Optimizers.Checkpoints;

string dir = args[0];
Write<double>(Path.Combine(dir, "adam-amsgrad.v2.ckpt"), p => new Adam(p.Cast<Parameter<double>>(), 0.01, amsgrad: true, weightDecay: 0.01));
Write<float>(Path.Combine(dir, "rmsprop-centered-float32.v2.ckpt"), p => new RMSProp<float>(p, 0.01, momentum: 0.9, centered: true));

static void Write<T>(string path, Func<Parameter<T>[], Optimizer<T>> create)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    var w = new Parameter<T>("w", Enumerable.Range(0, 13).Select(i => T.CreateTruncating(Math.Cos(i))).ToArray());
    var b = new Parameter<T>("b", new[] { 0.5, -0.25, 1.0 }.Select(T.CreateTruncating).ToArray());
    var parameters = new[] { w, b };
    var optimizer = create(parameters);
    for (int t = 1; t <= 4; t++)
    {
        foreach (var p in parameters)
        {
            for (int i = 0; i < p.Length; i++)
            {
                p.Gradient[i] = T.CreateTruncating(Math.Sin(t + i) / 2 + double.CreateTruncating(p.Value[i]) / 10);
            }
        }

        optimizer.Step();
    }

    Checkpoint.SaveToFile(path, optimizer, parameters);
}
CS

dotnet run --project "$work/gen/gen.csproj" -c Release -- "$here"
ls -l "$here"/*.v2.ckpt
