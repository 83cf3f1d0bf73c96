using System.Collections.Immutable;

namespace PhysarumSM.Contracts;

/// <summary>
/// RTTs between every pair of listed nodes in one value, so a dashboard or the service grain reads the whole mesh with
/// one call. Rows are the measuring node, columns the measured one; cells are in row-major order.
/// </summary>
[GenerateSerializer, Immutable, Alias("physarum.RttMatrix")]
public sealed record RttMatrix
{
    /// <summary>The node peer IDs in row and column order (ordinal order, so matrices of the same mesh line up).</summary>
    [Id(0)]
    public ImmutableArray<string> Nodes { get; init; } = [];

    /// <summary><c>Nodes.Length²</c> cells, row-major; null where the row node has no sample for the column node (always on the diagonal).</summary>
    [Id(1)]
    public ImmutableArray<LinkSample?> Cells { get; init; } = [];

    /// <summary>When the directory built the matrix, by its own clock.</summary>
    [Id(2)]
    public DateTimeOffset AsOf { get; init; }

    /// <summary>The sample measured by <paramref name="from"/> towards <paramref name="to"/>, or null when either is not in the matrix or there is none.</summary>
    public LinkSample? this[string from, string to]
    {
        get
        {
            var row = Nodes.IndexOf(from, StringComparer.Ordinal);
            var column = Nodes.IndexOf(to, StringComparer.Ordinal);
            return row < 0 || column < 0 ? null : Cells[(row * Nodes.Length) + column];
        }
    }

    /// <summary>The EWMA RTT in milliseconds from one node to another, or null when unmeasured; what routing ranks by.</summary>
    public double? EwmaRttMs(string from, string to) => this[from, to]?.EwmaRttMs;
}
