using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Core.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void Native_libraries_load_in_this_build()
    {
        var act = TorchRuntime.EnsureLoaded;
        act.Should().NotThrow("the build step makes libLibTorchSharp.so loadable on this system");
    }

    [Fact]
    public void A_loading_failure_is_explained_with_the_backend_fix_and_the_original_message()
    {
        var failure = new NotSupportedException("doesn't contain a reference to libtorch-cpu-linux-x64");

        var message = TorchRuntime.Explain(failure);

        message.Should().Contain("libtorch-cpu-linux-x64 2.10.0")
            .And.Contain("TorchSharp-cuda-linux")
            .And.EndWith("TorchSharp said: doesn't contain a reference to libtorch-cpu-linux-x64");
    }
}
