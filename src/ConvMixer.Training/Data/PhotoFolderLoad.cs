namespace ConvMixerNet.Training;

/// <summary>What <see cref="PhotoFolderData.Load"/> returns.</summary>
/// <param name="Data">The training and validation sets.</param>
/// <param name="Options">The options completed with the data configuration and the chosen path.</param>
/// <param name="Pretrained">The pretrained model, when one was loaded to learn its input size; the caller owns it.</param>
public sealed record PhotoFolderLoad(TrainingData Data, TrainerOptions Options, ConvMixer? Pretrained);
