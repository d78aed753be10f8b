using System.Runtime.ExceptionServices;

namespace Optimizers;

/// <summary>
/// A small process-wide set of background threads that run the parts of one <see cref="IPartitionedWork"/>
/// at a time, with the calling thread taking parts too. Nothing is allocated per job once the threads exist.
/// </summary>
/// <remarks>
/// <para>
/// Parts are claimed one at a time under a lock, so each runs exactly once whichever thread gets it; the
/// caller keeps claiming until none are left and then waits only for parts already taken by a worker.
/// A worker that wakes late, after its job is over, finds nothing to claim and goes back to sleep.
/// </para>
/// <para>
/// One job runs at a time. A caller that finds the pool busy (another optimizer stepping on another thread)
/// runs all its parts itself; results do not depend on which thread ran a part. The pool has one thread fewer
/// than the machine has processors (the caller is the last one); they are created on first use and live as
/// background threads for the rest of the process.
/// </para>
/// </remarks>
internal sealed class WorkerPool
{
    private readonly object _runLock = new();   // held by the one caller whose job is running
    private readonly object _gate = new();      // guards the job fields below
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly int _capacity;
    private int _threads;

    private IPartitionedWork? _work;
    private int _parts;
    private int _next;
    private int _remaining;
    private Exception? _error;

    private WorkerPool(int capacity) => _capacity = capacity;

    /// <summary>The pool shared by every optimizer in the process.</summary>
    public static WorkerPool Shared { get; } = new(Math.Clamp(Environment.ProcessorCount - 1, 0, 255));

    /// <summary>Runs parts 0 … <paramref name="parts"/> − 1 of <paramref name="work"/> and returns when all have finished.</summary>
    /// <remarks>The first exception thrown by a part is rethrown here after every part has finished.</remarks>
    public void Run(IPartitionedWork work, int parts)
    {
        int helpers = Math.Min(parts - 1, _capacity);
        if (helpers <= 0 || !Monitor.TryEnter(_runLock))
        {
            for (int p = 0; p < parts; p++)
            {
                work.RunPart(p);
            }

            return;
        }

        try
        {
            StartThreads(helpers);
            lock (_gate)
            {
                _work = work;
                _parts = parts;
                _next = 0;
                _remaining = parts;
                _error = null;
                _done.Reset();
            }

            int asleep = helpers - _wake.CurrentCount;   // wake-ups still pending from earlier jobs count too
            if (asleep > 0)
            {
                _wake.Release(asleep);
            }

            Drain();
            _done.Wait();

            Exception? error;
            lock (_gate)
            {
                error = _error;
                _error = null;
                _work = null;   // do not keep the optimizer alive from a static
            }

            if (error is not null)
            {
                ExceptionDispatchInfo.Throw(error);
            }
        }
        finally
        {
            Monitor.Exit(_runLock);
        }
    }

    private void StartThreads(int wanted)
    {
        for (; _threads < wanted; _threads++)
        {
            var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"Optimizers worker {_threads + 1}" };
            thread.Start();
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            _wake.Wait();
            Drain();
        }
    }

    /// <summary>Claims and runs parts of the current job until none are left.</summary>
    private void Drain()
    {
        while (true)
        {
            IPartitionedWork work;
            int part;
            lock (_gate)
            {
                if (_work is null || _next >= _parts)
                {
                    return;
                }

                work = _work;
                part = _next++;
            }

            try
            {
                work.RunPart(part);
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    _error ??= e;
                }
            }

            lock (_gate)
            {
                if (--_remaining == 0)
                {
                    _done.Set();
                }
            }
        }
    }
}
