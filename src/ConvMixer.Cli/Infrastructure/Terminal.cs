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

    public static string Count(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
