#!/usr/bin/env bash
# Writes the version-1 checkpoints of this folder with the library as it was before format version 2 (commit
# 5e7ce43, the last commit that wrote version 1), plus the exact state the old code reached, as text:
#
#   momentum-sequential.v1.ckpt / .expected.txt   Momentum (Nesterov, weight decay) over "w" (13) and "b" (3),
#                                                  SequentialLR(LinearLR, CosineAnnealingWarmRestarts), Skip policy
#                                                  with a NaN gradient at step 4; saved after step 5 of 12
#   adam-groups-plateau.v1.ckpt / .expected.txt    ParameterGroups of two Adams (AMSGrad + weight decay on "w",
#                                                  plain on "b") and ReduceLROnPlateau; saved after step 6 of 12
#
# Each .expected.txt holds the state right after the save (lines "at k: ...") and the state of the same run carried
# on without interruption to step 12 (lines "at n: ..."), every double as its 16 hex digits of IEEE-754 bits.
# Version1CheckpointTests loads each file with today's code, compares with "at k", continues the run and compares
# with "at n". The gradients, the metric and the dump below are repeated in Version1CheckpointTests: change both.
#
# Run from anywhere inside the repository:  bash tests/Optimizers.Tests/Checkpoints/Version1/make_version1_checkpoints.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel)"
work="$(mktemp -d)"
trap 'git -C "$repo" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$repo" worktree add --detach "$work/old" 5e7ce43 >/dev/null

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
using System.Globalization;
using Optimizers;
using Optimizers.Checkpoints;
using Optimizers.Schedules;

string folder = args[0];
Write("momentum-sequential", save: 5, total: 12, plateau: false);
Write("adam-groups-plateau", save: 6, total: 12, plateau: true);

void Write(string name, int save, int total, bool plateau)
{
    var (optimizer, parameters, schedule) = Build(plateau);
    var lines = new List<string>();
    Run(optimizer, parameters, schedule, 1, save);
    Checkpoint.SaveToFile(Path.Combine(folder, name + ".v1.ckpt"), optimizer, parameters, schedule);
    lines.AddRange(Dump(optimizer, parameters, schedule).Select(l => $"at k: {l}"));
    Run(optimizer, parameters, schedule, save + 1, total);
    lines.AddRange(Dump(optimizer, parameters, schedule).Select(l => $"at n: {l}"));
    File.WriteAllLines(Path.Combine(folder, name + ".expected.txt"), [$"# k = {save}, n = {total}", .. lines]);
}

static (IOptimizer, Parameter[], ISchedule) Build(bool plateau)
{
    var random = new Random(7);
    Parameter[] parameters =
    [
        new Parameter("w", Enumerable.Range(0, 13).Select(_ => random.NextDouble() * 2 - 1).ToArray()),
        new Parameter("b", Enumerable.Range(0, 3).Select(_ => random.NextDouble() * 2 - 1).ToArray()),
    ];
    if (plateau)
    {
        var groups = new ParameterGroups(
            new Adam([parameters[0]], 0.01, amsgrad: true, weightDecay: 0.01),
            new Adam([parameters[1]], 0.003));
        return (groups, parameters, new ReduceLROnPlateau(groups, factor: 0.5, patience: 1, cooldown: 1, minLearningRate: 0.0005));
    }

    var momentum = new Momentum(parameters, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01)
    {
        NonFiniteGradients = NonFiniteGradientPolicy.Skip,
    };
    var sequential = new SequentialLR(
        momentum,
        [new LinearLR(momentum, startFactor: 0.25, endFactor: 1, totalIters: 3), new CosineAnnealingWarmRestarts(momentum, t0: 2, tMult: 2, etaMin: 0.001)],
        [3]);
    return (momentum, parameters, sequential);
}

static void Run(IOptimizer optimizer, Parameter[] parameters, ISchedule schedule, int from, int to)
{
    for (int step = from; step <= to; step++)
    {
        optimizer.ZeroGrad();
        var random = new Random(1000 + step);
        foreach (var parameter in parameters)
        {
            for (int i = 0; i < parameter.Length; i++)
            {
                parameter.Gradient[i] = (1 + i / 4.0) * parameter.Value[i] + (random.NextDouble() - 0.5) * Math.Pow(10, step % 3 - 1);
            }
        }

        if (step == 4 && schedule is SequentialLR)
        {
            parameters[1].Gradient[1] = double.NaN;
        }

        optimizer.Step();
        if (schedule is ReduceLROnPlateau plateau)
        {
            plateau.Step(1.0 / (1 + Math.Min(step, 3)));
        }
        else
        {
            ((ILearningRateSchedule)schedule).Step();
        }
    }
}

static IEnumerable<string> Dump(IOptimizer optimizer, Parameter[] parameters, ISchedule schedule)
{
    var groups = optimizer is ParameterGroups g ? g.Groups : [(Optimizer)optimizer];
    for (int i = 0; i < groups.Count; i++)
    {
        var group = groups[i];
        yield return $"group {i} lr={Bits(group.LearningRate)} t={group.StepCount} skipped={group.SkippedStepCount}";
        foreach (string state in group.StateNames)
        {
            for (int p = 0; p < group.Parameters.Count; p++)
            {
                double[] values;
                try
                {
                    values = group.GetState(state, p).ToArray();
                }
                catch (KeyNotFoundException)
                {
                    values = [group.GetScalarState(state, p)];
                }

                yield return $"group {i} {state}[{p}]={string.Join(",", values.Select(Bits))}";
            }
        }
    }

    foreach (var parameter in parameters)
    {
        yield return $"{parameter.Name}={string.Join(",", parameter.Value.Select(Bits))}";
    }

    yield return $"schedule epoch={schedule.Epoch} lrs={string.Join(",", schedule.CurrentLearningRates.Select(Bits))}";
    switch (schedule)
    {
        case SequentialLR sequential:
            var restarts = (CosineAnnealingWarmRestarts)sequential.Schedules[1];
            yield return $"schedule active={sequential.ActiveIndex} T_cur={restarts.TCur} T_i={restarts.TI}";
            break;
        case ReduceLROnPlateau plateau:
            yield return $"schedule best={Bits(plateau.Best)} bad={plateau.BadEpochs} cooldown={plateau.CooldownCounter}";
            break;
    }
}

static string Bits(double x) => BitConverter.DoubleToInt64Bits(x).ToString("X16", CultureInfo.InvariantCulture);
CS

dotnet run --project "$work/gen/gen.csproj" -c Release -- "$here"
echo "wrote $(ls "$here"/*.v1.ckpt | wc -l) checkpoints to $here"
