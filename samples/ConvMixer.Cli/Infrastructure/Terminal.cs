using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary>Where output goes: results on stdout, progress on stderr (so piped output stays clean).</summary>
internal static class Terminal
{
    public static IAnsiConsole Out { get; } = AnsiConsole.Console;

    public static IAnsiConsole Progress { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Progress bars only make sense when someone watches stderr.</summary>
    public static bool ShowsProgress => !Console.IsErrorRedirected;

    public static string Count(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
