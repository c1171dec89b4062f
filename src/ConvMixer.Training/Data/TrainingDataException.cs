namespace ConvMixerNet.Training;

/// <summary>
/// The data or the model asked for cannot be trained as requested (photo transforms on IDX files, a pretrained model
/// whose input does not fit the images, a patch larger than the images); the message names the problem and the options
/// (<see cref="TrainingRequest"/> names them as on the command line).
/// </summary>
public sealed class TrainingDataException(string message) : Exception(message);
