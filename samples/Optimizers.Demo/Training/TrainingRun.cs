using System.Diagnostics;
using System.Numerics;
using Optimizers.Networks;

namespace Optimizers.Demo.Training;

/// <summary>What one optimizer achieved on one network.</summary>
/// <typeparam name="T">The element type the network computed in.</typeparam>
/// <param name="Optimizer">The optimizer's name.</param>
/// <param name="Network">The trained network.</param>
/// <param name="Losses">The mean training loss of each epoch (shorter than asked if training diverged).</param>
/// <param name="FinalLoss">The loss on the whole training set after the last epoch (NaN if diverged).</param>
/// <param name="Accuracy">The training-set accuracy after the last epoch (NaN if diverged); null for a regressor.</param>
/// <param name="TestAccuracy">The held-out accuracy after the last epoch, for a classifier with a held-out set that did not diverge.</param>
/// <param name="HeldOut">The held-out loss (and accuracy, for a classifier) after each epoch, when there is a held-out set.</param>
/// <param name="EpochsToTarget">The first epoch whose loss was at or below the target, if any.</param>
/// <param name="Time">The wall time of the training.</param>
/// <param name="Diverged">Whether the loss, a held-out loss or a gradient became NaN or infinite.</param>
public sealed record TrainingResult<T>(
    string Optimizer,
    Network<T> Network,
    IReadOnlyList<double> Losses,
    double FinalLoss,
    double? Accuracy,
    double? TestAccuracy,
    HeldOutCurves? HeldOut,
    int? EpochsToTarget,
    TimeSpan Time,
    bool Diverged)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>What a network scores on rows it does not train on, measured after each epoch (epoch 1 first).</summary>
/// <param name="Losses">The mean loss on the held-out rows (cross-entropy for a classifier, the regression loss for a regressor).</param>
/// <param name="Accuracies">The share of held-out rows classified correctly (empty for a regressor).</param>
public sealed record HeldOutCurves(IReadOnlyList<double> Losses, IReadOnlyList<double> Accuracies);

/// <summary>Trains a network with one optimizer for a number of epochs of mini-batches.</summary>
public static class TrainingRun
{
    /// <summary>
    /// Trains <paramref name="network"/> with <paramref name="optimizer"/> on <paramref name="train"/>, calling
    /// <paramref name="onEpoch"/> after each epoch with the epoch number (1-based) and its loss.
    /// </summary>
    /// <typeparam name="T">The element type of the network and the samples.</typeparam>
    /// <param name="name">The optimizer's name, for the result.</param>
    /// <param name="network">The network to train.</param>
    /// <param name="optimizer">An optimizer over the network's parameters; a closure optimizer (L-BFGS) takes one
    /// full-batch closure step per epoch, and its epoch loss is the loss at the start of that step.</param>
    /// <param name="train">The training rows.</param>
    /// <param name="test">Held-out rows, scored after every epoch, or null.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Rows per step; at least the row count means full batch.</param>
    /// <param name="seed">Seeds the per-epoch shuffles.</param>
    /// <param name="targetLoss">The loss whose first crossing is reported.</param>
    /// <param name="onEpoch">Progress callback, or null.</param>
    public static TrainingResult<T> Run<T>(string name, Network<T> network, IOptimizerBase optimizer, Samples<T> train, Samples<T>? test,
                                           int epochs, int batchSize, int seed, double targetLoss, Action<int, double>? onEpoch = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var losses = new List<double>(epochs);
        var testLosses = new List<double>(test is null ? 0 : epochs);
        var testAccuracies = new List<double>(test is null ? 0 : epochs);
        int? reached = null;
        bool diverged = false;
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double loss;
            try
            {
                loss = optimizer is IClosureOptimizer closureOptimizer
                    ? closureOptimizer.Step(() =>
                    {
                        closureOptimizer.ZeroGrad();
                        return train.Backward(network);
                    })
                    : train.TrainEpoch(network, (IOptimizer)optimizer, batchSize, random);
            }
            catch (NonFiniteGradientException)
            {
                diverged = true;
                break;
            }

            if (!double.IsFinite(loss))
            {
                diverged = true;
                break;
            }

            if (test is not null)
            {
                clock.Stop();   // the time is the training's, not the scoring's
                (optimizer as ScheduleFreeOptimizer<T>)?.Eval();   // scored at the evaluation point x
                double testLoss = test.Loss(network);
                if (!double.IsFinite(testLoss))
                {
                    // The last step sent the weights to where the outputs overflow: there is no class or value to score.
                    diverged = true;
                    break;
                }

                testLosses.Add(testLoss);
                if (test.Accuracy(network) is double testAccuracy)
                {
                    testAccuracies.Add(testAccuracy);
                }

                (optimizer as ScheduleFreeOptimizer<T>)?.Train();

                clock.Start();
            }

            losses.Add(loss);
            if (reached is null && loss <= targetLoss)
            {
                reached = epoch;
            }

            onEpoch?.Invoke(epoch, loss);
        }

        clock.Stop();
        (optimizer as ScheduleFreeOptimizer<T>)?.Eval();   // a schedule-free rule ends at its evaluation point x, scored and kept there
        double finalLoss = diverged ? double.NaN : train.Loss(network);
        diverged |= !double.IsFinite(finalLoss);
        double? accuracy = !train.HasClasses ? null : diverged ? double.NaN : train.Accuracy(network);
        double? finalTestAccuracy = test is null || diverged ? null : test.Accuracy(network);
        return new TrainingResult<T>(name, network, losses, diverged ? double.NaN : finalLoss, accuracy, finalTestAccuracy,
                                     test is null ? null : new HeldOutCurves(testLosses, testAccuracies), reached, clock.Elapsed, diverged);
    }
}
