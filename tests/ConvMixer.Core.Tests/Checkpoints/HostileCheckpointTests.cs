using System.Buffers.Binary;
using System.Text;
using FluentAssertions;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>Weights files that load but cannot be right, and files that declare more than they hold.</summary>
public class HostileCheckpointTests
{
    private static ConvMixer Tiny() => new(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 2);

    [Fact]
    public void Overlapping_data_offsets_are_refused_naming_both_tensors()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("overlap.safetensors");
        WriteRawSafetensors(path, """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12);

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().Which.Message.Should().Contain("'a'").And.Contain("'b'").And.Contain("overlap");
    }

    [Theory]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Bool)]
    public void Integer_or_bool_values_for_real_weights_are_refused_naming_the_key(ScalarType dtype)
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("typed.safetensors");
        WriteWith(path, "blocks.0.1.weight", t => t.to(dtype));

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<CheckpointMismatchException>().Which.Message.Should().Contain("blocks.0.1.weight").And.Contain(dtype.ToString());
    }

    [Fact]
    public void A_negative_running_variance_is_refused_naming_the_key()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("negative.safetensors");
        WriteWith(path, "stem.2.running_var", t => t.neg() - 1);

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().Which.Message.Should().Contain("stem.2.running_var").And.Contain("negative");
    }

    [Fact]
    public void A_scalar_head_bias_is_a_mismatch_not_a_crash()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("scalar-bias.safetensors");
        WriteWith(path, "head.bias", _ => tensor(0.5f));

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<CheckpointMismatchException>().Which.Message.Should().Contain("head.bias");
    }

    [Fact]
    public void Tensors_of_keys_no_ConvMixer_has_are_not_read_from_a_pth()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.File("junk.pth");
        using (var model = Tiny())
        {
            var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
            state["optimizer_junk"] = zeros(100_000);
            using var file = File.Create(path);
            PyTorchPickler.PickleStateDict(file, state, leaveOpen: true);
        }

        using (var checkpoint = CheckpointReader.Read(path, preferEma: false))
        {
            checkpoint.Tensors["optimizer_junk"].numel().Should().Be(0, "only a placeholder stands for a tensor no model wants");
            checkpoint.Tensors["stem.0.weight"].shape.Should().Equal(8, 3, 2, 2);
        }

        using var loaded = ConvMixer.FromCheckpoint(path, new CheckpointLoadOptions { Strict = false });
        var strict = () => ConvMixer.FromCheckpoint(path);
        strict.Should().Throw<CheckpointMismatchException>().Which.Message.Should().Contain("optimizer_junk");
    }

    [Fact]
    public void Label_files_that_are_devices_fifos_or_huge_are_refused_without_reading_them()
    {
        using var dir = new TemporaryDirectory();
        NativeFiles.CreateFifo(dir.File("labels.fifo"));
        var huge = dir.File("huge.txt");
        using (var file = File.Create(huge))
        {
            file.SetLength(ClassLabels.MaxFileBytes + 1); // sparse: nothing is written
        }

        ((Action)(() => ClassLabels.FromFile("/dev/zero"))).Should().Throw<IOException>().WithMessage("*/dev/zero*not a regular file*");
        ((Action)(() => ClassLabels.FromFile(dir.File("labels.fifo")))).Should().Throw<IOException>().WithMessage("*not a regular file*");
        ((Action)(() => ClassLabels.FromFile(huge))).Should().Throw<InvalidDataException>().WithMessage($"*{ClassLabels.MaxFileBytes}*");
    }

    [Fact]
    public void A_write_removes_stale_temporary_files_of_its_naming_but_not_fresh_ones_or_others()
    {
        using var dir = new TemporaryDirectory();
        var stale = dir.File($".model.safetensors.{Guid.NewGuid():N}.tmp");
        var fresh = dir.File($".model.safetensors.{Guid.NewGuid():N}.tmp");
        var foreign = dir.File(".notes.tmp");
        foreach (var file in new[] { stale, fresh, foreign })
        {
            File.WriteAllBytes(file, [1, 2, 3]);
        }

        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(foreign, DateTime.UtcNow.AddHours(-1));

        AtomicFile.WriteAllText(dir.File("metrics.csv"), "epoch\n");

        File.Exists(stale).Should().BeFalse("a temporary file of a killed write is removed by the next write to its folder");
        File.Exists(fresh).Should().BeTrue("a recent one may belong to a write in progress");
        File.Exists(foreign).Should().BeTrue("files of other naming are not ours");
    }

    private static void WriteWith(string path, string key, Func<Tensor, Tensor> change)
    {
        using var model = Tiny();
        using var scope = NewDisposeScope();
        var tensors = model.state_dict().Select(p => KeyValuePair.Create(p.Key, p.Key == key ? change(p.Value.detach()) : p.Value.detach())).ToList();
        using var file = File.Create(path);
        SafetensorsFile.Write(file, tensors, new Dictionary<string, string>());
    }

    private static void WriteRawSafetensors(string path, string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
    }
}
