using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Training.Tests;

/// <summary>The shipped recipes are complete and valid, are found by name, and their runs record them.</summary>
public class RecipeTests
{
    public static TheoryData<string> Names => new(TrainingRecipes.ByName.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_recipe_is_valid_and_names_itself(string name)
    {
        var recipe = TrainingRecipes.Get(name);

        recipe.Name.Should().Be(name);
        recipe.Options.Recipe.Should().Be(name, "a run started from the recipe records its name");
        recipe.Options.Validate();
        recipe.Architecture.Validate();
        recipe.ImageSize.Should().BeGreaterThanOrEqualTo(recipe.Architecture.PatchSize);
        recipe.Summary.Should().NotBeNullOrWhiteSpace();
        recipe.ArchitectureFor(classes: 7, channels: 3).Should().Be(recipe.Architecture with { NumClasses = 7, InChannels = 3 });
    }

    [Fact]
    public void The_photo_recipes_take_timms_transforms_with_the_documented_values()
    {
        // docs/training.md justifies each value; cifar10's RandAugment is torchvision's 2 operations at 12 of 30 in timm's form.
        var cifar = TrainingRecipes.Cifar10.Options;
        cifar.Augmentation.Should().Be(Augmentation.None, "the flip is the photo transforms' --hflip");
        cifar.ImageFolder.Should().Be(new ImageFolderTrainingOptions
        {
            ScaleMin = 1,
            ScaleMax = 1,
            RatioMin = 1,
            RatioMax = 1,
            HorizontalFlip = 0.5,
            ColorJitter = 0,
            TrainInterpolation = "bilinear",
            AutoAugment = "rand-m4-n2-p1.0-inc1",
        });
        var randAugment = RandAugment.Parse(cifar.ImageFolder!.AutoAugment!);
        (randAugment.NumLayers, randAugment.Magnitude, randAugment.Probability, randAugment.MagnitudeStd).Should().Be((2, 4.0, 1.0, 0.0));
        randAugment.Operations.Should().Equal(RandAugmentOp.Increasing);
        (cifar.RandomErasing, cifar.Mixup, cifar.ModelEmaDecay).Should().Be((null, null, null));

        var finetune = TrainingRecipes.FineTune;
        (finetune.FineTunes, finetune.ImageSize).Should().Be((true, 224));
        finetune.Options.Should().BeEquivalentTo(new TrainerOptions
        {
            Recipe = "finetune",
            Epochs = 10,
            BatchSize = 32,
            LearningRate = 1e-4,
            WeightDecay = 0.05,
            Schedule = ScheduleKind.CosineWithWarmup,
            WarmupEpochs = 1,
            LabelSmoothing = 0.1,
            GradientClipNorm = 1.0,
            RandomErasing = new RandomErasing(0.25),
            ModelEmaDecay = 0.9998,
            ModelEmaWarmup = true,
            ImageFolder = new ImageFolderTrainingOptions { AutoAugment = "rand-m9-mstd0.5-inc1" },
        });
        finetune.Options.ImageFolder!.Should().Match<ImageFolderTrainingOptions>(f =>
            f.ScaleMin == 0.08 && f.ScaleMax == 1 && f.RatioMin == 0.75 && f.RatioMax == 4.0 / 3.0 && f.HorizontalFlip == 0.5 && f.TrainInterpolation == "random" && f.Streaming == null);
    }

    [Fact]
    public void The_fashion_mnist_recipe_is_the_measured_one()
    {
        // docs/training-benchmark.md reports these values; a change here needs new measurements there.
        var r = TrainingRecipes.FashionMnist;
        r.Architecture.Should().Be(new ConvMixerConfig(96, 8, 3, 2, 10, 1, Activation.Relu));
        r.Options.Should().BeEquivalentTo(new TrainerOptions
        {
            Recipe = "fashion-mnist",
            Epochs = 10,
            BatchSize = 64,
            LearningRate = 0.0025,
            WeightDecay = 0.01,
            LabelSmoothing = 0.1,
            Augmentation = new Augmentation(2, true),
            EvaluationAugmentation = TestTimeAugmentation.HorizontalFlipAndShifts,
        });
    }

    [Fact]
    public void An_unknown_name_is_refused_with_the_known_ones()
    {
        var act = () => TrainingRecipes.Get("imagenet");

        act.Should().Throw<ArgumentException>().WithMessage("*'imagenet'*fashion-mnist, cifar10*");
    }

    [Fact]
    public void The_hyperparameters_name_every_value_a_run_depends_on()
    {
        var options = TrainingRecipes.FashionMnist.Options with { Seed = 3, GradientClipNorm = 1.5 };

        var values = options.Hyperparameters();

        values.Should().Contain(new Dictionary<string, string>
        {
            ["recipe"] = "fashion-mnist",
            ["epochs"] = "10",
            ["batch_size"] = "64",
            ["lr"] = "0.0025",
            ["weight_decay"] = "0.01",
            ["schedule"] = "OneCycle",
            ["label_smoothing"] = "0.1",
            ["clip_norm"] = "1.5",
            ["crop_padding"] = "2",
            ["hflip"] = "true",
            ["eval_tta"] = "HorizontalFlipAndShifts",
            ["seed"] = "3",
        });
        (TrainingRecipes.FashionMnist.Options with { Recipe = null }).Hyperparameters().Should().NotContainKey("recipe");
    }

    [Fact]
    public void A_trained_model_records_the_recipe_and_its_values()
    {
        var train = SyntheticImages.Create(64, seed: 1);
        using var model = SyntheticImages.TinyModel(seed: 2);
        var options = TrainingRecipes.FashionMnist.Options with { Epochs = 1, BatchSize = 32, Data = DatasetStatistics.ForImages(1, 8, [0.4f], [0.3f]) };
        using var trainer = new Trainer(model, options);

        trainer.Fit(train);

        model.Pretrained!.Training.Should().BeEquivalentTo(options.Hyperparameters());
        model.Pretrained.Training!["recipe"].Should().Be("fashion-mnist");
        model.Pretrained.Description.Should().Contain("with the fashion-mnist recipe");
    }
}
