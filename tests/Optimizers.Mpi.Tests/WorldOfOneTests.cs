using Optimizers.Checkpoints;
using Optimizers.Mpi.Native;
using Optimizers.Mpi.Tests.Cases;

namespace Optimizers.Mpi.Tests;

/// <summary>
/// Under <c>dotnet test</c> (no launcher in the environment) every distributed case runs in a world of one, which
/// loads no MPI library; .ci/run runs the same cases under <c>mpirun</c> on 1, 2 and 4 processes.
/// </summary>
public class WorldOfOneTests
{
    public static TheoryData<string> CaseNames() => new(DistributedCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case_passes_in_a_world_of_one(string name)
    {
        var world = Communicator.World;
        world.Size.Should().Be(1, "dotnet test starts no MPI launcher");
        DistributedCases.All.Single(c => c.Name == name).Run(world);
    }

    [Fact]
    public void A_process_without_a_launcher_is_a_world_of_one_that_loads_no_MPI()
    {
        var world = Communicator.World;
        world.Rank.Should().Be(0);
        world.Size.Should().Be(1);
        world.IsRoot.Should().BeTrue();
        world.LibraryName.Should().BeNull();

        Span<double> values = [1.5, -2];
        world.AllReduceSum(values);
        world.Broadcast(values);
        values.ToArray().Should().Equal(1.5, -2);
        world.Mean(3.25).Should().Be(3.25);
        double[] all = new double[2];
        world.AllGather<double>([7, 8], all, [2], [0]);
        all.Should().Equal(7, 8);
        world.Barrier();
    }

    [Fact]
    public void Under_a_launcher_a_missing_library_is_a_clear_error()
    {
        string? saved = Environment.GetEnvironmentVariable(MpiLibrary.LibraryVariable);
        try
        {
            Environment.SetEnvironmentVariable(MpiLibrary.LibraryVariable, "/nonexistent/libmpi-missing.so.40");
            var act = () => MpiLibrary.Load(openMpi: true);
            act.Should().Throw<DllNotFoundException>()
               .WithMessage("MPI library not found*libmpi-missing.so.40*OPTIMIZERS_MPI_LIBRARY*");
        }
        finally
        {
            Environment.SetEnvironmentVariable(MpiLibrary.LibraryVariable, saved);
        }
    }

    [Fact]
    public void Collectives_reject_bad_arguments_by_name()
    {
        var world = Communicator.World;
        var root = () => world.Broadcast<double>(new double[1], root: 1);
        root.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("root");
        var counts = () => world.AllGather<double>([1], new double[1], [1, 1], [0, 1]);
        counts.Should().Throw<ArgumentException>().WithParameterName("counts");
        var local = () => world.AllGather<double>([1, 2], new double[2], [1], [0]);
        local.Should().Throw<ArgumentException>().WithParameterName("local");
        var type = () => world.AllReduceSum<int>(new int[1]);
        type.Should().Throw<NotSupportedException>();
    }

    [Theory]
    [InlineData(new[] { 10, 0, 7 }, 4, ShardGranularity.Range, new long[] { 0, 5, 9, 13, 17 })]
    [InlineData(new[] { 3 }, 4, ShardGranularity.Range, new long[] { 0, 1, 2, 3, 3 })]
    [InlineData(new[] { 10, 3, 7, 4 }, 2, ShardGranularity.WholeParameter, new long[] { 0, 13, 24 })]
    [InlineData(new[] { 10, 3 }, 4, ShardGranularity.WholeParameter, new long[] { 0, 10, 10, 10, 13 })]
    public void Shard_layout_cuts_the_concatenation_into_contiguous_shares(int[] lengths, int processes, ShardGranularity granularity, long[] starts)
    {
        var layout = new ShardLayout(lengths, processes, granularity);
        Enumerable.Range(0, processes + 1).Select(layout.Start).Should().Equal(starts);
        for (int r = 0; r < processes; r++)
        {
            var pieces = layout.Pieces(r);
            pieces.Sum(p => (long)p.Length).Should().Be(layout.Length(r));
            pieces.Where(p => p.Length <= 0 || p.Start + p.Length > lengths[p.Parameter]).Should().BeEmpty();
            if (granularity == ShardGranularity.WholeParameter)
            {
                pieces.Where(p => p.Start != 0 || p.Length != lengths[p.Parameter]).Should().BeEmpty();
            }
        }
    }

    [Fact]
    public void Sharding_by_ranges_refuses_a_rule_that_is_not_elementwise_and_a_factory_over_other_parameters()
    {
        var parameters = Problem<double>.NewParameters();
        var other = () => new ShardedOptimizer<double>(parameters, _ => new Adam<double>(Problem<double>.NewParameters()));
        other.Should().Throw<ArgumentException>().WithParameterName("rule").WithMessage("*exactly the parameters*");
        var empty = () => new ShardedOptimizer<double>([], ps => new Adam<double>(ps));
        empty.Should().Throw<ArgumentException>().WithParameterName("parameters");
    }

    [Fact]
    public void A_checkpoint_of_another_process_count_is_refused_before_anything_changes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"optimizers-mpi-{Environment.ProcessId}-count.ckpt");
        try
        {
            var parameters = Problem<double>.NewParameters();
            var sharded = new ShardedOptimizer<double>(parameters, ps => new Adam<double>(ps));
            Problem<double>.Gradients(parameters, 0, 0, Problem<double>.GlobalBatch);
            sharded.Step();
            DistributedCheckpoint.Save(path, sharded, null);

            // The manifest's process count (after the 8-byte magic) says 2.
            byte[] file = File.ReadAllBytes(path);
            BitConverter.GetBytes(2).CopyTo(file, 8);
            File.WriteAllBytes(path, file);

            var fresh = Problem<double>.NewParameters(seed: 5);
            var resumed = new ShardedOptimizer<double>(fresh, ps => new Adam<double>(ps));
            var before = fresh.Select(p => p.Value.ToArray()).ToArray();
            var load = () => DistributedCheckpoint.Load(path, resumed, null);
            load.Should().Throw<CheckpointException>().WithMessage("*saved by 2 processes*this run has 1*");
            fresh.Select(p => p.Value.ToArray()).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
            resumed.Shard.StepCount.Should().Be(0);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
