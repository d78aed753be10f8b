namespace Optimizers.Demo.Plotting;

/// <summary>The pixel sizes of the PNG files the demo writes.</summary>
public static class ChartSize
{
    /// <summary>Width of the loss-curve chart.</summary>
    public const int LossWidth = 900;

    /// <summary>Height of the loss-curve chart.</summary>
    public const int LossHeight = 560;

    /// <summary>Width of <c>train</c>'s chart (loss above, held-out accuracy below).</summary>
    public const int TrainingWidth = 900;

    /// <summary>Height of <c>train</c>'s chart.</summary>
    public const int TrainingHeight = 820;

    /// <summary>Width of the decision-boundary chart.</summary>
    public const int BoundaryWidth = 760;

    /// <summary>Height of the decision-boundary chart.</summary>
    public const int BoundaryHeight = 620;

    /// <summary>Width of a regressor's fit chart.</summary>
    public const int FitWidth = 900;

    /// <summary>Height of a regressor's fit chart.</summary>
    public const int FitHeight = 560;

    /// <summary>Width of a trajectory chart.</summary>
    public const int TrajectoryWidth = 1100;

    /// <summary>Height of a trajectory chart.</summary>
    public const int TrajectoryHeight = 640;
}
