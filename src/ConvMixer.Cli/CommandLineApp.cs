using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;

namespace ConvMixerNet.Cli;

/// <summary>The <c>convmixer</c> command: its sub-commands, parsing, exit codes and error reporting.</summary>
public static class CommandLineApp
{
    /// <summary>The root command with every sub-command; each command lives in its own file under Commands/.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand(
            "ConvMixer for .NET: inspect models, classify images and explain the results, convert checkpoints, measure speed, train and evaluate, download published models.\n"
            + "Exit codes: 0 success, 1 error (the cause is printed on stderr), 2 invalid command line, 3 some images could not be classified or explained.");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(QuantizeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(DownloadCommand.Create());
        return root;
    }

    // A value outside an option's choices ("Argument '18' not recognized. Must be one of: ...") gets the option's name.
    private static string Describe(ParseError error)
    {
        var option = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
        return option is not null && !error.Message.Contains(option.Option.Name, StringComparison.Ordinal) ? $"{option.Option.Name}: {error.Message}" : error.Message;
    }

    /// <summary>Parses and runs a command line; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        var parse = BuildRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {Describe(error)}");
            }

            Console.Error.WriteLine("Run 'convmixer --help' (or 'convmixer <command> --help') for usage.");
            return ExitCodes.UsageError;
        }

        // Stopped by a signal or Ctrl-C: no half-written output and no hidden temporary file stays behind.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => AtomicFile.AbandonInFlightWrites());
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => AtomicFile.AbandonInFlightWrites());
        using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => AtomicFile.AbandonInFlightWrites());
        using var onQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, _ => AtomicFile.AbandonInFlightWrites());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => AtomicFile.AbandonInFlightWrites();
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (UserError.Describe(e) is { } message)
        {
            Console.Error.WriteLine($"error: {message}");
            return e is UsageException or TrainingDataException ? ExitCodes.UsageError : ExitCodes.Failure;
        }
        catch (Exception e)
        {
            // Not a user error: a bug. Show everything so it can be reported.
            Console.Error.WriteLine($"internal error: {e}");
            return ExitCodes.Failure;
        }
    }
}
