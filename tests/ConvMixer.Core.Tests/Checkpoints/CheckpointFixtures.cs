namespace ConvMixerNet.Core.Tests;

/// <summary>Checkpoints written by PyTorch (tools/checkpoints/make_checkpoint_fixtures.py), copied into the tests.</summary>
internal static class CheckpointFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints");

    public static string File(string name) => Path.Combine(Directory, name);
}
