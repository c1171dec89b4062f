namespace ConvMixerNet.Training;

/// <summary>What a resumed run does with an option given again.</summary>
public enum ResumeRole
{
    /// <summary>The run continues with its stored value; another value is a <see cref="ResumeConflict"/>.</summary>
    MustMatch,

    /// <summary>The run takes the new value (<c>--epochs</c> may grow; <c>--channels-last</c> changes speed only).</summary>
    MayChange,

    /// <summary>Not part of the run's settings (where the data and the run folder are, threads, resume itself).</summary>
    Ignored,
}
