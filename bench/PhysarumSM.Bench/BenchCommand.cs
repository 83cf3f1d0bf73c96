namespace PhysarumSM.Bench;

/// <summary>
/// What every measuring command shares: a guard deadline, Ctrl+C that cancels but lets cleanup run, the report on stdout
/// (and in <c>--out FILE</c>), a failure on stderr with exit code 1. Why one place: each command had its own copy.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Runs <paramref name="measure"/> under a <paramref name="guard"/> deadline; 0 when it produced its report.</summary>
    /// <param name="name">The command, for the failure line.</param>
    /// <param name="guard">A guard, not a budget: a wedged engine or node must not hold the shared machine forever.</param>
    /// <param name="output">Where the report is also written, or null.</param>
    /// <param name="measure">Measures and returns the Markdown report; disposes what it started.</param>
    public static async Task<int> RunAsync(string name, TimeSpan guard, string? output, Func<CancellationToken, Task<string>> measure)
    {
        using var deadline = new CancellationTokenSource(guard);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;   // let the measurement's finally blocks stop the nodes and remove the containers
            deadline.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var report = await measure(deadline.Token);
            Console.WriteLine(report);
            if (output is not null)
            {
                await File.WriteAllTextAsync(output, report, CancellationToken.None);
            }

            return 0;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"{name} failed: {ex}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
