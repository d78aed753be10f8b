namespace Optimizers;

/// <summary>
/// How <see cref="Muon{T}"/> scales the learning rate α for the shape of each weight (torch's <c>adjust_lr_fn</c>),
/// from its logical rows A and columns B (<see cref="Parameter{T}.Rows"/> and <see cref="Parameter{T}.Columns"/>).
/// </summary>
public enum MuonLearningRate
{
    /// <summary>
    /// α·√max(1, A/B), Keller Jordan's original scaling (torch's <c>"original"</c>, its default): a tall weight
    /// (more rows than columns) takes larger steps, a square or wide one takes α.
    /// </summary>
    Original,

    /// <summary>
    /// α·0.2·√max(A, B), Moonshot's scaling (torch's <c>"match_rms_adamw"</c>): the update's RMS matches AdamW's, so
    /// AdamW's learning rate and weight decay carry over.
    /// </summary>
    MatchRmsAdamW,
}
