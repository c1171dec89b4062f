namespace ConvMixerNet.Core;

/// <summary>What a saved model says about itself beyond its tensor shapes.</summary>
/// <param name="Pretrained">Preprocessing, class names and provenance; null when only hyperparameters were stored.</param>
/// <param name="NumClasses">The class count it states, to check against the classifier's shape.</param>
/// <param name="Activation">The activation, which tensor shapes cannot show.</param>
/// <param name="ResidualPlacement">Where the skip connections sit, when not the default.</param>
/// <param name="Architecture">The whole architecture, when the description determines it (a timm name or model_args with every dimension).</param>
internal sealed record StoredModelConfig(PretrainedConfig? Pretrained, int? NumClasses, Activation? Activation, ResidualPlacement? ResidualPlacement, ConvMixerConfig? Architecture = null);
