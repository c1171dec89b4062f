using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ConvMixerNet.Server.Tests;

/// <summary>
/// The built server (src/ConvMixer.Server, same configuration as the tests) as its own process on real Kestrel,
/// listening on a free port of 127.0.0.1: what a browser or a signal needs, which the in-memory server cannot give.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private ServerProcess(Process process, Uri address, StringBuilder output)
    {
        _process = process;
        Address = address;
        _output = output;
    }

    /// <summary>Where it listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    public int Id => _process.Id;

    /// <summary>What it has written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server with the golden model and waits until it listens and the model is loaded.</summary>
    public static Task<ServerProcess> StartAsync(params string[] extraArgs) => StartAsync(extraArgs, new Dictionary<string, string>(), null, goldenModel: true);

    /// <summary>
    /// Starts the server with <paramref name="args"/> (after the golden model's, if <paramref name="goldenModel"/>), these
    /// environment variables, in <paramref name="workingDirectory"/> (default: the server's own folder), and waits until
    /// it listens and the model is loaded.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory, bool goldenModel)
    {
        var start = StartInfo(args, goldenModel);
        start.WorkingDirectory = workingDirectory ?? start.WorkingDirectory;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
            }
        }

        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        try
        {
            // A server that stops (bad settings, say) fails the test at once, with its reason.
            if (await Task.WhenAny(listening.Task, exited).WaitAsync(TimeSpan.FromSeconds(60)) == exited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode} before it listened. Its output:\n{output}");
            }

            var server = new ServerProcess(process, await listening.Task, output);
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new TimeoutException($"The server did not start listening or become ready within 60 s. Its output:\n{output}");
        }
        catch (InvalidOperationException)
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs a server that is expected to stop by itself (bad settings, say): its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] extraArgs)
    {
        using var process = Process.Start(StartInfo(extraArgs, goldenModel: true))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The server was still running after 60 s. Its output:\n{await output}{await error}");
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>Asks the server to stop, as a service manager or a container runtime does.</summary>
    public void SendSigterm()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed with exit code {kill.ExitCode}.");
        }
    }

    /// <summary>The exit code, or null when the process is still running after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return _process.ExitCode;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    // On a free port, with the golden model unless told otherwise; later arguments override earlier ones.
    private static ProcessStartInfo StartInfo(IEnumerable<string> extraArgs, bool goldenModel)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath)!,
        };
        string[] golden = goldenModel ? ["--weights", Fixtures.Weights, "--input-size", "32"] : [];
        foreach (var arg in new[] { AssemblyPath, "--urls", "http://127.0.0.1:0" }.Concat(golden).Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>The repository's root folder (where ConvMixer.sln is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "ConvMixer.sln")))
            {
                root = root.Parent;
            }

            return root?.FullName ?? throw new DirectoryNotFoundException("The tests do not run inside the repository.");
        }
    }

    // tests/<Project>/bin/<Configuration>/net10.0/ -> src/ConvMixer.Server/bin/<Configuration>/net10.0/ConvMixerNet.Server.dll
    private static string AssemblyPath
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = here.Name;
            var configuration = here.Parent!.Name;
            var root = here;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "ConvMixer.sln")))
            {
                root = root.Parent;
            }

            var path = root is null ? null : Path.Combine(root.FullName, "src", "ConvMixer.Server", "bin", configuration, framework, "ConvMixerNet.Server.dll");
            return path is not null && File.Exists(path)
                ? path
                : throw new FileNotFoundException($"The server was not built for {configuration}/{framework} (looked for {path}).");
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = Address };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if ((await client.GetAsync(new Uri("readyz", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The server did not become ready within 60 s. Its output:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
