using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary>Where output goes: results on stdout, progress on stderr (so piped output stays clean).</summary>
internal static class Terminal
{
    public static IAnsiConsole Out { get; } = WithWidthFromEnvironment(AnsiConsole.Console);

    public static IAnsiConsole Progress { get; } = WithWidthFromEnvironment(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));

    /// <summary>Progress bars only make sense when someone watches stderr.</summary>
    public static bool ShowsProgress => !Console.IsErrorRedirected;

    // Redirected output has no terminal to ask, so tables take COLUMNS (as shells export it) or Spectre's 80.
    private static IAnsiConsole WithWidthFromEnvironment(IAnsiConsole console)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns is >= 20 and <= 1000)
        {
            console.Profile.Width = columns;
        }

        return console;
    }

    /// <summary>
    /// Runs a lazy sequence of <paramref name="count"/> results to its end, with a progress bar on stderr when
    /// <paramref name="show"/> and someone watches stderr.
    /// </summary>
    public static List<T> Collect<T>(IEnumerable<T> results, int count, string description, bool show)
    {
        var collected = new List<T>(count);
        if (!show || !ShowsProgress)
        {
            collected.AddRange(results);
            return collected;
        }

        Progress.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(description, maxValue: count);
                foreach (var result in results)
                {
                    collected.Add(result);
                    task.Increment(1);
                }
            });
        return collected;
    }

    public static string Count(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
