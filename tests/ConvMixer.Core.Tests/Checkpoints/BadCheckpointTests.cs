using System.IO.Compression;
using System.Text;
using FluentAssertions;
using FluentAssertions.Execution;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// Files users may download: truncated, random, wrong, hostile. Each must give an <see cref="InvalidCheckpointException"/>
/// naming the file, never a crash, a hang or an out-of-memory, and must leave a model it was loaded into unchanged.
/// </summary>
public class BadCheckpointTests
{
    public static TheoryData<string> Formats => new() { "model.safetensors", "model.pth", "model.dat" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_file_truncated_at_any_of_many_offsets_is_refused_and_leaves_the_model_unchanged(string fileName)
    {
        using var folder = new TemporaryDirectory();
        var whole = folder.File(fileName);
        using (var reference = GoldenCase.Load("caseA").BuildModel())
        {
            reference.SaveCheckpoint(whole);
        }

        var bytes = File.ReadAllBytes(whole);
        using var model = new ConvMixer(GoldenCase.Load("caseA").Config);
        using var before = new StateSnapshot(model);
        var truncated = folder.File("truncated-" + fileName);
        // The first bytes one by one (headers), then about 60 offsets spread over the whole file.
        var offsets = Enumerable.Range(0, 24).Concat(Enumerable.Range(1, 60).Select(i => (int)((long)bytes.Length * i / 61))).Append(bytes.Length - 1).Distinct();
        foreach (var length in offsets)
        {
            File.WriteAllBytes(truncated, bytes[..length]);

            var act = () => model.LoadCheckpoint(truncated);

            act.Should().Throw<InvalidCheckpointException>($"the file is cut at byte {length} of {bytes.Length}")
                .Which.Message.Should().Contain(truncated);
        }

        before.ShouldEqual(model);
    }

    [Fact]
    public void The_reference_pth_truncated_at_many_offsets_is_refused()
    {
        var bytes = File.ReadAllBytes(GoldenCase.Load("caseF").PthPath);
        using var folder = new TemporaryDirectory();
        var truncated = folder.File("caseF-truncated.pth");
        foreach (var length in Enumerable.Range(0, 80).Select(i => (int)((long)bytes.Length * i / 80)))
        {
            File.WriteAllBytes(truncated, bytes[..length]);

            var act = () => ConvMixer.FromCheckpoint(truncated);

            act.Should().Throw<InvalidCheckpointException>($"the file is cut at byte {length} of {bytes.Length}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_bytes_are_refused(int seed)
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("random.pth");
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().WithMessage($"*{path}*");
    }

    [Fact]
    public void A_byte_flipped_anywhere_in_a_safetensors_header_is_refused_or_loads_the_original_exactly()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("model.safetensors");
        using var reference = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 2);
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            // No tensor keeps its initial value, so a tensor the load skipped cannot look loaded.
            foreach (var (_, tensor) in reference.state_dict())
            {
                if (tensor.is_floating_point())
                {
                    tensor.uniform_(0.5, 1.5);
                }
                else
                {
                    tensor.fill_(7);
                }
            }
        }

        reference.SaveCheckpoint(path);
        using var original = new StateSnapshot(reference);

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        var rng = new Random(7);
        var corrupt = folder.File("corrupt.safetensors");
        var refused = 0;
        var loadedUnchanged = 0;
        // Every byte of the header once, each with a random non-zero XOR mask; any other exception fails the test.
        for (var offset = 8; offset < 8 + headerLength; offset++)
        {
            var copy = (byte[])bytes.Clone();
            var mask = (byte)(1 + rng.Next(255));
            copy[offset] ^= mask;
            File.WriteAllBytes(corrupt, copy);
            var from = Math.Max(8, offset - 24);
            var context = Encoding.UTF8.GetString(bytes, from, Math.Min(48, 8 + headerLength - from));
            var because = $"byte {offset} ('{(char)bytes[offset]}') XOR 0x{mask:X2}, in \"{context}\"";

            ConvMixer loaded;
            try
            {
                loaded = ConvMixer.FromCheckpoint(corrupt);
            }
            catch (CheckpointException e)
            {
                e.Message.Should().Contain(corrupt, because);
                refused++;
                continue;
            }

            // Only a flip the loader may ignore (inside a metadata string it does not read, or in padding) loads.
            using (loaded)
            using (new AssertionScope(because))
            {
                loaded.Config.Should().Be(reference.Config, because);
                original.ShouldEqual(loaded);
            }

            loadedUnchanged++;
        }

        var counts = $"{refused} refused, {loadedUnchanged} loaded unchanged of {headerLength} header bytes";
        refused.Should().BeGreaterThan(headerLength / 2, $"most of the header is structure, key names, dtypes, shapes and offsets ({counts})");
        loadedUnchanged.Should().BePositive($"flips in metadata the loader ignores (such as format = pt) leave a valid file ({counts})");
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("empty.safetensors");
        File.WriteAllBytes(path, []);

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*empty.safetensors*empty*");
    }

    [Fact]
    public void A_zip_that_is_not_a_checkpoint_is_refused()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("photos.pth");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("not a checkpoint");
        }

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*photos.pth*zip file but not a PyTorch checkpoint*");
    }

    [Theory]
    [InlineData("pickle_os_system.pth", "posix.system")] // os.system pickles under its real module
    [InlineData("pickle_builtins_exec.pth", "exec")]
    public void A_pickle_that_asks_for_code_execution_is_refused_and_nothing_runs(string file, string callee)
    {
        var path = CheckpointFixtures.File(file);
        var cwd = Directory.GetCurrentDirectory();

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().WithMessage($"*{file}*{callee}*");
        File.Exists(Path.Combine(cwd, "pwned.txt")).Should().BeFalse();
    }

    [Fact]
    public void A_pickle_claiming_a_2GB_string_is_refused_before_the_unpickler_allocates_it()
    {
        var before = GC.GetTotalAllocatedBytes();

        var act = () => ConvMixer.FromCheckpoint(CheckpointFixtures.File("pickle_huge_string.pth"));

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*pickle_huge_string.pth*claims more bytes*");
        (GC.GetTotalAllocatedBytes() - before).Should().BeLessThan(100_000_000);
    }

    [Fact]
    public void A_pickle_without_STOP_or_with_an_unknown_opcode_is_refused()
    {
        PickleOpcodeScanner.FindProblem([0x80, 0x02, (byte)'}', (byte)'q', 0x00]).Should().Contain("without a STOP");
        PickleOpcodeScanner.FindProblem([0x80, 0x02, 0xff, (byte)'.']).Should().Contain("unknown opcode 0xff at byte 2");
        PickleOpcodeScanner.FindProblem([0x80, 0x02, (byte)'X', 3, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c', (byte)'.']).Should().BeNull();
    }

    [Fact]
    public void A_legacy_torch_save_file_is_refused_with_how_to_resave_it()
    {
        var act = () => ConvMixer.FromCheckpoint(CheckpointFixtures.File("legacy_format.pth"));

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*legacy_format.pth*legacy*torch.save*");
    }

    [Fact]
    public void A_whole_pickled_model_is_refused_with_how_to_save_a_state_dict()
    {
        var act = () => ConvMixer.FromCheckpoint(CheckpointFixtures.File("whole_model.pth"));

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*whole_model.pth*whole pickled model*torch.save(model.state_dict(), path)*");
    }

    [Fact]
    public void A_pickle_claiming_an_enormous_tensor_is_refused_without_allocating_it()
    {
        var act = () => ConvMixer.FromCheckpoint(CheckpointFixtures.File("shape_bomb.pth"));

        // The declared size is compared with the stored bytes before anything is allocated.
        act.Should().Throw<InvalidCheckpointException>().WithMessage("*shape_bomb.pth*tensor 'w'*needs*but its stored data holds 16*");
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 40)]
    [InlineData(200UL * 1024 * 1024)]
    [InlineData(5000UL)] // more than the file holds
    public void An_absurd_safetensors_header_size_is_refused_before_reading_it(ulong claimed)
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("absurd.safetensors");
        var bytes = new byte[1024];
        BitConverter.GetBytes(claimed).CopyTo(bytes, 0);
        bytes[8] = (byte)'{';
        File.WriteAllBytes(path, bytes);

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().WithMessage($"*absurd.safetensors*header claims {claimed} bytes*");
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[1000000000000,1000000000000],"data_offsets":[0,16]}}""", "needs more than the file's")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,1600]}}""", "outside the")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}""", "invalid shape")]
    [InlineData("""{"w":{"dtype":"Q7","shape":[4],"data_offsets":[0,16]}}""", "not supported")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4]}}""", "lacks")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "twice")]
    [InlineData("""{"__metadata__":{"dim":32},"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "not a string")]
    [InlineData("""[1, 2]""", "is not a PyTorch zip")] // without '{' it is not recognised as safetensors
    [InlineData("""{"w": """, "not valid JSON")]
    public void An_inconsistent_safetensors_header_is_refused_with_the_reason(string header, string reason)
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("bad.safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        using (var stream = File.Create(path))
        {
            stream.Write(BitConverter.GetBytes((ulong)json.Length));
            stream.Write(json);
            stream.Write(new byte[16]);
        }

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().WithMessage($"*bad.safetensors*{reason}*");
    }

    [Fact]
    public void A_TorchSharp_file_claiming_an_enormous_tensor_is_refused_before_allocating()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("huge.dat");
        using (var stream = File.Create(path))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write((byte)1); // one entry
            writer.Write("stem.0.weight");
            writer.Write((byte)ScalarType.Float32);
            writer.Write((byte)2); // rank
            writer.Write([0xff, 0xff, 0xff, 0xff, 0x0f]); // 2^32 - 1
            writer.Write([0xff, 0xff, 0xff, 0xff, 0x0f]);
            writer.Write(new byte[64]);
        }

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*huge.dat*'stem.0.weight' needs more than the file's bytes*");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_values_are_refused_by_default_naming_the_tensor_and_loaded_when_allowed(float bad)
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("nan.safetensors");
        using (var source = new ConvMixer(dim: 8, depth: 2, kernelSize: 3, patchSize: 2, numClasses: 2))
        {
            using var _ = torch.no_grad();
            source.Layers[1].PointwiseConv.weight![3, 2, 0, 0] = bad;
            source.SaveCheckpoint(path);
        }

        using var model = new ConvMixer(dim: 8, depth: 2, kernelSize: 3, patchSize: 2, numClasses: 2);
        using var before = new StateSnapshot(model);

        var act = () => model.LoadCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*nan.safetensors*NaN or infinite*blocks.1.1.weight (1 of 64 values)*AllowNonFiniteValues*");
        before.ShouldEqual(model);

        model.LoadCheckpoint(path, new CheckpointLoadOptions { AllowNonFiniteValues = true });
        using var loaded = model.Layers[1].PointwiseConv.weight![3, 2, 0, 0];
        loaded.item<float>().Should().Be(bad);
    }

    [Fact]
    public void Keys_mixing_the_official_and_timm_layouts_are_refused()
    {
        using var folder = new TemporaryDirectory();
        var path = folder.File("mixed.safetensors");
        using (var a = torch.zeros(2))
        using (var b = torch.zeros(2))
        using (var stream = File.Create(path))
        {
            SafetensorsFile.Write(stream, [new("0.weight", a), new("head.weight", b)], new Dictionary<string, string>());
        }

        var act = () => ConvMixer.FromCheckpoint(path);

        act.Should().Throw<InvalidCheckpointException>().WithMessage("*mixed.safetensors*not a ConvMixer state dict*");
    }
}
