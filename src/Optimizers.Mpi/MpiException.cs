namespace Optimizers.Mpi;

/// <summary>An MPI function returned an error code.</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception for <paramref name="function"/> failing with <paramref name="errorCode"/>.</summary>
    /// <param name="function">The MPI function, for example "MPI_Allreduce".</param>
    /// <param name="errorCode">The error code it returned (not MPI_SUCCESS).</param>
    public MpiException(string function, int errorCode)
        : base($"{function} failed with MPI error code {errorCode}.")
    {
        Function = function;
        ErrorCode = errorCode;
    }

    /// <summary>The MPI function that failed.</summary>
    public string Function { get; }

    /// <summary>The error code it returned.</summary>
    public int ErrorCode { get; }
}
