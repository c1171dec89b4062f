using System.Diagnostics;

namespace ConvMixerNet.Vision.Tests;

/// <summary>Runs the built <c>convmixer</c> tool (samples/ConvMixer.Cli, same configuration as the tests) as a process.</summary>
internal static class ConvMixerTool
{
    private static readonly Lazy<string> Assembly = new(FindAssembly);

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
    }

    public static Result Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Assembly.Value);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A wide virtual console so tables do not wrap file names.
        start.Environment["COLUMNS"] = "240";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"convmixer {string.Join(' ', args)} did not finish within 3 minutes.");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    // tests/ConvMixer.Vision.Tests/bin/<Configuration>/net10.0/ -> samples/ConvMixer.Cli/bin/<Configuration>/net10.0/convmixer.dll
    private static string FindAssembly()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ConvMixer.sln")))
        {
            root = root.Parent;
        }

        var path = root is null ? null : Path.Combine(root.FullName, "samples", "ConvMixer.Cli", "bin", configuration, framework, "convmixer.dll");
        return path is not null && File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The convmixer tool was not built for {configuration}/{framework} (looked for {path}).");
    }
}
