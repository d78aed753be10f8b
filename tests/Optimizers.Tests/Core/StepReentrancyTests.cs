using System.Numerics;

namespace Optimizers.Tests;

/// <summary>
/// <see cref="Optimizer.Step"/> and <see cref="Optimizer.TryStep"/> entered while another step of the same optimizer
/// runs (from another thread, or from inside the step) throw <see cref="InvalidOperationException"/> and change
/// nothing; the running step completes as if alone. Both element types.
/// </summary>
public sealed class StepReentrancyTests
{
    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void A_step_entered_from_inside_a_step_throws_and_the_running_step_completes(string type)
    {
        if (type == "float32")
        {
            InsideAStep<float>();
        }
        else
        {
            InsideAStep<double>();
        }
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void A_step_from_another_thread_while_one_runs_throws_and_changes_nothing(string type)
    {
        if (type == "float32")
        {
            FromAnotherThread<float>();
        }
        else
        {
            FromAnotherThread<double>();
        }
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void A_step_that_throws_releases_the_optimizer_for_the_next_step(string type)
    {
        if (type == "float32")
        {
            ReleasedAfterThrow<float>();
        }
        else
        {
            ReleasedAfterThrow<double>();
        }
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void Two_threads_stepping_one_optimizer_lose_no_step_and_corrupt_nothing(string type)
    {
        if (type == "float32")
        {
            Contended<float>();
        }
        else
        {
            Contended<double>();
        }
    }

    private static void InsideAStep<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = EitherType.Param<T>("w", 1, 2);
        var optimizer = new HookedRule<T>([p]);
        var rejected = new List<Exception>();
        optimizer.During = () =>
        {
            optimizer.During = null;   // once: if a nested step were let in, it must not nest again
            rejected.Add(Record(optimizer.Step));
            rejected.Add(Record(() => optimizer.TryStep()));
        };

        optimizer.TryStep().Should().BeTrue();

        rejected.Should().HaveCount(2).And.AllBeOfType<InvalidOperationException>();
        rejected[0].Message.Should().Contain("HookedRule").And.Contain("another step of it is running").And.Contain("changed nothing");
        optimizer.StepCount.Should().Be(1);
        p.Value.AsArray().Should().Equal(T.CreateTruncating(1 - 0.5 / 8), T.CreateTruncating(2 - 0.5 * 2 / 8));
    }

    private static void FromAnotherThread<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = EitherType.Param<T>("w", 1, 2);
        var optimizer = new HookedRule<T>([p]);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = new Thread(() => optimizer.Step()) { IsBackground = true };
        optimizer.During = () =>
        {
            if (Thread.CurrentThread == first)   // only the first step pauses; a step let in by mistake runs through
            {
                inside.Set();
                release.Wait();
            }
        };

        first.Start();
        inside.Wait();
        try
        {
            string during = EitherType.Bits(p);
            FluentActions.Invoking(optimizer.Step).Should().Throw<InvalidOperationException>();
            FluentActions.Invoking(() => optimizer.TryStep()).Should().Throw<InvalidOperationException>();
            EitherType.Bits(p).Should().Be(during, "the rejected calls change nothing");
            optimizer.StepCount.Should().Be(0, "the running step has not finished");
        }
        finally
        {
            release.Set();
            first.Join();
        }

        optimizer.StepCount.Should().Be(1);
        optimizer.During = null;
        optimizer.Step();
        optimizer.StepCount.Should().Be(2, "the optimizer is free again once the running step ends");
    }

    private static void ReleasedAfterThrow<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = EitherType.Param<T>("w", 1, 2);
        var optimizer = new HookedRule<T>([p]);
        p.Gradient[0] = T.NaN;
        FluentActions.Invoking(optimizer.Step).Should().Throw<NonFiniteGradientException>();
        p.Gradient[0] = T.One;

        optimizer.During = () => throw new RuleFailure();
        FluentActions.Invoking(optimizer.Step).Should().Throw<RuleFailure>();

        optimizer.During = null;
        optimizer.TryStep().Should().BeTrue();
        optimizer.StepCount.Should().Be(1, "the step the rule broke off was not counted");
    }

    /// <summary>
    /// Two threads step one Adam (cut into two parts on the worker pool) as fast as they can with a constant gradient.
    /// Every call either steps or is refused, so the result equals stepping a twin as many times as calls succeeded,
    /// bit for bit. How many are refused depends on timing and is only reported.
    /// </summary>
    private static void Contended<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int CallsPerThread = 400;
        Parameter<T>[] Parameters() =>
            [EitherType.Param<T>("a", Enumerable.Range(0, 3000).Select(i => Math.Sin(i)).ToArray()),
             EitherType.Param<T>("b", Enumerable.Range(0, 1000).Select(i => Math.Cos(i)).ToArray())];
        var optimizer = new Adam<T>(Parameters(), 0.01) { MaxDegreeOfParallelism = 2, MinimumPartLength = 64 };
        optimizer.Partition.Parts.Should().Be(2);

        int stepped = 0;
        int refused = 0;
        using var start = new Barrier(2);
        var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int call = 0; call < CallsPerThread; call++)
            {
                try
                {
                    optimizer.Step();
                    Interlocked.Increment(ref stepped);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var twin = new Adam<T>(Parameters(), 0.01);
        for (int s = 0; s < stepped; s++)
        {
            twin.Step();
        }

        (stepped + refused).Should().Be(2 * CallsPerThread);
        optimizer.StepCount.Should().Be(stepped);
        for (int i = 0; i < 2; i++)
        {
            EitherType.Bits(optimizer.Parameters[i]).Should().Be(EitherType.Bits(twin.Parameters[i]), $"parameter {i} after {stepped} steps ({refused} refused)");
            foreach (var name in new[] { "exp_avg", "exp_avg_sq" })
            {
                optimizer.GetState(name, i).ToArray().Should().Equal(twin.GetState(name, i).ToArray(), $"{name} of parameter {i}");
            }
        }
    }

    private sealed class RuleFailure : Exception;

    private static Exception Record(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            return e;
        }

        throw new InvalidOperationException("The call did not throw.");
    }
}

/// <summary>θ ← θ − ½·g, calling <see cref="During"/> after each parameter's update: a rule a test can pause or re-enter.</summary>
internal sealed class HookedRule<T>(IEnumerable<Parameter<T>> parameters) : Optimizer<T>(parameters, 0.5)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Runs inside the step, after each parameter has been updated.</summary>
    public Action? During { get; set; }

    protected override void UpdateParameter(int index, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        var half = T.CreateTruncating(0.5);
        for (int i = 0; i < value.Length; i++)
        {
            value[i] -= half * gradient[i];
        }

        During?.Invoke();
    }
}
