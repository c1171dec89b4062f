namespace ConvMixerNet.Cli;

/// <summary>The process exit codes of <c>convmixer</c>.</summary>
public static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Success = 0;

    /// <summary>The command failed; the cause is on stderr.</summary>
    public const int Failure = 1;

    /// <summary>The command line was invalid.</summary>
    public const int UsageError = 2;

    /// <summary>predict, explain: some images could not be read; the others were classified or explained.</summary>
    public const int SomeImagesFailed = 3;
}
