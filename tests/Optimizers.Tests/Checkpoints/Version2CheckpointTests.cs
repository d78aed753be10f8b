using System.Buffers.Binary;
using System.Numerics;
using Optimizers.Checkpoints;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// The version-2 checkpoints in Checkpoints/Version2, written by the code before format version 3 (see
/// make_version2_checkpoints.sh there), still load: the state equals that of today's code run to the same step, and
/// continuing gives the uninterrupted run bit for bit.
/// </summary>
public sealed class Version2CheckpointTests
{
    private const int SavedAt = 4;
    private const int Steps = 9;

    private static Parameter<T>[] Parameters<T>(bool fresh = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = new Parameter<T>("w", Enumerable.Range(0, 13).Select(i => T.CreateTruncating(fresh ? 0.0 : Math.Cos(i))).ToArray());
        var b = new Parameter<T>("b", (fresh ? new[] { 0.0, 0, 0 } : new[] { 0.5, -0.25, 1.0 }).Select(T.CreateTruncating).ToArray());
        return [w, b];
    }

    private static void Run<T>(Optimizer<T> optimizer, Parameter<T>[] parameters, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int t = from; t <= to; t++)
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
    }

    [Fact]
    public void A_float64_Adam_checkpoint_of_version_2_loads_and_resumes_bit_for_bit()
        => LoadAndResume<double>("adam-amsgrad.v2.ckpt", p => new Adam<double>(p, 0.01, amsgrad: true, weightDecay: 0.01));

    [Fact]
    public void A_float32_RMSProp_checkpoint_of_version_2_loads_and_resumes_bit_for_bit()
        => LoadAndResume<float>("rmsprop-centered-float32.v2.ckpt", p => new RMSProp<float>(p, 0.01, momentum: 0.9, centered: true));

    private static void LoadAndResume<T>(string file, Func<Parameter<T>[], Optimizer<T>> create)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Checkpoints", "Version2", file));
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)).Should().Be(2u, "the file is a version-2 checkpoint");

        var atSave = Parameters<T>();
        var reference = create(atSave);
        Run(reference, atSave, 1, SavedAt);

        var parameters = Parameters<T>(fresh: true);
        var loaded = create(parameters);
        Checkpoint.Load(new MemoryStream(bytes), loaded, parameters);
        StateSnapshot.Of(loaded, parameters).Where(l => !l.Contains(".gradient", StringComparison.Ordinal))
            .Should().Equal(StateSnapshot.Of(reference, atSave).Where(l => !l.Contains(".gradient", StringComparison.Ordinal)));

        Run(reference, atSave, SavedAt + 1, Steps);
        Run(loaded, parameters, SavedAt + 1, Steps);
        StateSnapshot.Of(loaded, parameters).Should().Equal(StateSnapshot.Of(reference, atSave));
    }
}
