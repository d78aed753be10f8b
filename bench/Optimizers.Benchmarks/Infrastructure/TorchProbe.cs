using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Optimizers.Benchmarks.Infrastructure;

/// <summary>Whether libtorch loads on this machine (TorchSharp-cpu's native libraries need glibc/libstdc++ of their own age).</summary>
public static class TorchProbe
{
    private static readonly Lazy<string?> Result = new(Probe);

    /// <summary>Null when TorchSharp works here; otherwise the full error chain, to record in bench/README.md.</summary>
    public static string? Error => Result.Value;

    private static string? Probe()
    {
        try
        {
            using var t = ones(4, dtype: ScalarType.Float64);
            return t.sum().item<double>() == 4 ? null : "a test tensor summed wrongly";
        }
        catch (Exception e)
        {
            var messages = new List<string>();
            for (Exception? x = e; x is not null; x = x.InnerException)
            {
                messages.Add($"{x.GetType().Name}: {x.Message}");
            }

            var loaderError = NativeLoaderError();
            return loaderError is null
                ? string.Join(" ---> ", messages)
                : $"{loaderError} (TorchSharp reports: {messages[^1].Split('\n')[0]})";
        }
    }

    /// <summary>
    /// TorchSharp's own message does not say why the library failed to load; loading its native bridge directly
    /// gives the dynamic loader's reason (for example a missing GLIBCXX version of libstdc++).
    /// </summary>
    private static string? NativeLoaderError()
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "cpu", "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
        ];
        foreach (var path in candidates.Where(File.Exists))
        {
            try
            {
                NativeLibrary.Free(NativeLibrary.Load(path));
            }
            catch (DllNotFoundException e)
            {
                return e.Message;
            }
        }

        return null;
    }
}
