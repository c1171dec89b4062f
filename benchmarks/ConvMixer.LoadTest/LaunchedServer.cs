using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ConvMixerNet.LoadTest;

/// <summary>A server process this check started on a free port of 127.0.0.1, and stops with SIGTERM.</summary>
internal sealed partial class LaunchedServer : IDisposable
{
    private readonly Process _process;

    private LaunchedServer(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Pid => _process.Id;

    public static async Task<LaunchedServer> StartAsync(string dll, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!,
        };
        foreach (var arg in new[] { Path.GetFullPath(dll) }.Concat(args).Concat(["--urls", "http://127.0.0.1:0"]))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Watch(string? line)
        {
            if (line is not null && ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
            }
            else if (line is not null && (line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal)))
            {
                Console.Error.WriteLine($"server: {line}");
            }
        }

        process.OutputDataReceived += (_, e) => Watch(e.Data);
        process.ErrorDataReceived += (_, e) => Watch(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60))) != listening.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The server did not start listening (see its messages above).");
        }

        var server = new LaunchedServer(process, await listening.Task);
        await server.WaitUntilReadyAsync();
        return server;
    }

    /// <summary>Stops the server as a service manager would; its exit code, or null when it had to be killed.</summary>
    public async Task<int?> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            return _process.ExitCode;
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            return null;
        }
    }

    // Kestrel listens before the model is loaded; /readyz tells when it is.
    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = Address };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!(await client.GetAsync(new Uri("readyz", UriKind.Relative))).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException("The server's model did not load (see its messages above).");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
