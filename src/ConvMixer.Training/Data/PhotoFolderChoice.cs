namespace ConvMixerNet.Training;

/// <summary>What <see cref="PhotoFolderData.Choose"/> decided.</summary>
/// <param name="Options">The image-folder options to train with; null: the data is read by <see cref="TrainingData.Load"/>.</param>
/// <param name="Note">What was decided for the user that they should know (a recipe's transforms not applied, streaming chosen), or null.</param>
public sealed record PhotoFolderChoice(ImageFolderTrainingOptions? Options, string? Note);
