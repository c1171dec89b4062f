namespace ConvMixerNet.Training;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler synchronously on the reporting thread (unlike
/// <see cref="Progress{T}"/>, which posts to a captured context and may run after the work has moved on).
/// </summary>
public sealed class InlineProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    /// <summary>Creates the progress sink.</summary>
    public InlineProgress(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    /// <inheritdoc />
    public void Report(T value) => _handler(value);
}
