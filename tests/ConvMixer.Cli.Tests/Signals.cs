namespace ConvMixerNet.Cli.Tests;

/// <summary>The Linux signal numbers the tests send to the tool (as <c>kill -l</c> lists them).</summary>
internal static class Signals
{
    public const int HangUp = 1;
    public const int Interrupt = 2;
    public const int Quit = 3;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;
}
