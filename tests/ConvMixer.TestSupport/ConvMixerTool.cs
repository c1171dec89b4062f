using System.Diagnostics;

namespace ConvMixerNet.TestSupport;

/// <summary>Runs the built <c>convmixer</c> tool (src/ConvMixer.Cli, same configuration as the tests) as a process.</summary>
public static class ConvMixerTool
{
    private static readonly Lazy<string> LazyAssembly = new(FindAssembly);

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
    }

    /// <summary>The tool's entry assembly, run with <c>dotnet</c>.</summary>
    public static string AssemblyPath => LazyAssembly.Value;

    /// <summary>Runs the tool to its end (at most 3 minutes) in a virtual console 120 columns wide.</summary>
    public static Result Run(params string[] args) => RunIn(null, 120, args);

    /// <summary>As <see cref="Run"/>, in <paramref name="workingDirectory"/> (null: the tests' own) and a console of <paramref name="columns"/> columns.</summary>
    public static Result RunIn(string? workingDirectory, int columns, params string[] args) => RunWith(new Dictionary<string, string?>(), workingDirectory, columns, args);

    /// <summary>As <see cref="RunIn"/>, with <paramref name="environment"/> set (a null value removes the variable).</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string?> environment, string? workingDirectory, int columns, params string[] args)
    {
        var start = StartInfo(args, columns);
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.WorkingDirectory = workingDirectory ?? string.Empty;
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

    /// <summary>How to start the tool with redirected output, for tests that watch or stop the process themselves.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, int columns = 120)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A fixed virtual console, so output does not depend on the terminal the tests run in.
        start.Environment["COLUMNS"] = columns.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["LINES"] = "50";
        // No test reaches a real hub: a model named by hub reference comes from the cache, or fails (tests that serve a
        // fake hub on 127.0.0.1 set HF_ENDPOINT and clear this).
        start.Environment["HF_HUB_OFFLINE"] = "1";
        foreach (var name in new[] { "HF_ENDPOINT", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE" })
        {
            start.Environment.Remove(name);
        }

        return start;
    }

    // tests/<Project>/bin/<Configuration>/net10.0/ -> src/ConvMixer.Cli/bin/<Configuration>/net10.0/linux-x64/convmixer.dll
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

        var path = root is null ? null : Path.Combine(root.FullName, "src", "ConvMixer.Cli", "bin", configuration, framework, "linux-x64", "convmixer.dll");
        return path is not null && File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The convmixer tool was not built for {configuration}/{framework} (looked for {path}).");
    }
}
