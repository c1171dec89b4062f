using TorchSharp;
using static TorchSharp.torch;

namespace ConvMixerNet.Vision.Tests;

/// <summary>
/// A tiny grey ConvMixer trained to tell 16×16 noise with a bright 4×4 square ("square") from noise alone ("plain").
/// The square lies inside one quadrant, different from image to image: the evidence for "square" sits in that
/// quadrant, so the class activation map should peak there.
/// </summary>
internal static class QuadrantModel
{
    public const int Side = 16;

    /// <summary>Preprocessing that leaves 16×16 grey images as they are (no resize), then normalises.</summary>
    public static DataConfig DataConfig { get; } = new()
    {
        InChannels = 1,
        InputSize = Side,
        CropFraction = 1.0,
        Interpolation = Interpolation.Bilinear,
        Mean = [0.4f],
        Std = [0.25f],
    };

    public static readonly string[] Classes = ["plain", "square"];

    public static ConvMixerConfig Architecture { get; } = new(Dim: 16, Depth: 2, KernelSize: 5, PatchSize: 2, NumClasses: 2, InChannels: 1);

    private static readonly Lazy<Dictionary<string, Tensor>> TrainedState = new(Train);

    /// <summary>A new model with the trained weights.</summary>
    public static ConvMixer Trained()
    {
        var model = new ConvMixer(Architecture);
        model.load_state_dict(TrainedState.Value);
        return model;
    }

    /// <summary>A new model with freshly initialised weights (<paramref name="seed"/>).</summary>
    public static ConvMixer Random(int seed)
    {
        torch.manual_seed(seed);
        return new ConvMixer(Architecture);
    }

    /// <summary>A classifier for a model, with the quadrant class names.</summary>
    public static ImageClassifier Classifier(ConvMixer model) =>
        new(model, new ImageClassifierOptions { DataConfig = DataConfig, Labels = new ClassLabels(Classes) });

    /// <summary>Test images with a square (not seen in training), as RGB images, with the quadrant (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right) that holds it.</summary>
    public static (RgbImage Image, int Quadrant)[] TestImages(int count)
    {
        var random = new Random(7);
        return Enumerable.Range(0, count).Select(n =>
        {
            var quadrant = n % 4;
            var grey = Generate(random, quadrant);
            var rgb = new byte[Side * Side * 3];
            for (var i = 0; i < grey.Length; i++)
            {
                rgb[3 * i] = rgb[(3 * i) + 1] = rgb[(3 * i) + 2] = grey[i];
            }

            return (new RgbImage(Side, Side, rgb), quadrant);
        }).ToArray();
    }

    /// <summary>Whether map cell (row, column) of a square grid with <paramref name="rows"/> rows lies in the quadrant.</summary>
    public static bool InQuadrant(int quadrant, int row, int column, int rows) =>
        (row < rows / 2) == (quadrant / 2 == 0) && (column < rows / 2) == (quadrant % 2 == 0);

    // Noise in [40, 120]; with a quadrant, a 4×4 square of 220–250 inside it, at least 2 pixels (one patch) away from
    // the other quadrants, so the patches it touches all lie in its quadrant.
    private static byte[] Generate(Random random, int? quadrant)
    {
        var pixels = new byte[Side * Side];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)random.Next(40, 121);
        }

        if (quadrant is { } q)
        {
            var top = q / 2 == 0 ? random.Next(0, 3) : (Side / 2) + random.Next(2, 5);
            var left = q % 2 == 0 ? random.Next(0, 3) : (Side / 2) + random.Next(2, 5);
            for (var y = top; y < top + 4; y++)
            {
                for (var x = left; x < left + 4; x++)
                {
                    pixels[(y * Side) + x] = (byte)random.Next(220, 251);
                }
            }
        }

        return pixels;
    }

    // Full-batch AdamW on 192 images, half of them with a square; deterministic on the CPU.
    private static Dictionary<string, Tensor> Train()
    {
        const int Count = 192;
        var random = new Random(1);
        var labels = Enumerable.Range(0, Count).Select(n => n % 2).ToArray();
        var pixels = labels.SelectMany((label, n) => Generate(random, label == 1 ? n / 2 % 4 : null)).ToArray();
        using var model = Random(seed: 3);
        model.train();
        using var scope = NewDisposeScope();
        var x = (tensor(pixels.Select(p => ((p / 255f) - 0.4f) / 0.25f).ToArray(), [Count, 1, Side, Side])).MoveToOuterDisposeScope();
        var y = tensor(labels.Select(l => (long)l).ToArray());
        using var optimizer = optim.AdamW(model.parameters(), lr: 0.01);
        for (var step = 0; step < 60; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
        }

        model.eval();
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
        x.Dispose();
        return state;
    }
}
