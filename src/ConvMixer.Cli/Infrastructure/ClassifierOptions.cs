using System.CommandLine;

namespace ConvMixerNet.Cli;

/// <summary>
/// The options of the commands that run a classifier on image files (predict, explain): the model, what the weights
/// cannot tell (preset, activation), batch size, precision, EXIF handling and the preprocessing overrides; and the
/// classifier they make.
/// </summary>
internal sealed class ClassifierOptions
{
    public Option<string> Weights { get; } = new("--weights", "-w") { Description = "The model: " + ModelSource.Kinds + ".", Required = true };

    public Option<string?> Preset { get; } = ModelSource.PresetOption("The preset the weights follow (gives the activation).");

    public Option<Activation?> Activation { get; } = ModelSource.ActivationOption();

    public Option<int> BatchSize { get; } = new Option<int>("--batch-size", "-b") { Description = "Images per forward pass.", DefaultValueFactory = _ => 16 }.AtLeast(1);

    public Option<InferencePrecision> Precision { get; } = new("--precision") { Description = "float32 or bfloat16.", DefaultValueFactory = _ => InferencePrecision.Float32 };

    public Option<bool> IgnoreExif { get; } = new("--ignore-exif-orientation") { Description = "Use stored pixels as they are, as timm's loader does." };

    public PreprocessingOptions Preprocessing { get; } = new();

    /// <summary>Checks the parsed options and returns what opens the classifier, so option errors come before any other.</summary>
    public ClassifierRequest Read(ParseResult parse)
    {
        var precision = parse.GetValue(Precision);
        Runtime.CpuDType(precision);
        var options = new ImageClassifierOptions
        {
            Overrides = Preprocessing.Overrides(parse),
            Labels = Preprocessing.ReadLabels(parse),
            BatchSize = parse.GetValue(BatchSize),
            Precision = precision,
            ApplyExifOrientation = !parse.GetValue(IgnoreExif),
        };
        return new ClassifierRequest(parse.GetRequiredValue(Weights), ModelSource.LoadOptions(parse.GetValue(Preset), parse.GetValue(Activation)), options);
    }
}
