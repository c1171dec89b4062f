namespace ConvMixerNet.Vision;

/// <summary>
/// What the model looked at for one class in one image: a class activation map on the last layer's patch grid, with
/// values in [0, 1] (1 where the evidence is strongest), and the model's input view it belongs to.
/// </summary>
public sealed class Explanation
{
    private readonly float[] _map;

    internal Explanation(Prediction target, CamMethod method, int rows, int columns, float[] map, RgbImage inputView)
    {
        Target = target;
        Method = method;
        Rows = rows;
        Columns = columns;
        _map = map;
        InputView = inputView;
    }

    /// <summary>The class explained (by default the most probable one), its label and softmax probability.</summary>
    public Prediction Target { get; }

    /// <summary>Index of the class explained.</summary>
    public int ClassIndex => Target.ClassIndex;

    /// <summary>Name of the class explained.</summary>
    public string Label => Target.Label;

    /// <summary>The class's softmax probability, in [0, 1].</summary>
    public float Probability => Target.Probability;

    /// <summary>How the map was computed.</summary>
    public CamMethod Method { get; }

    /// <summary>Rows of the map: the patch grid's height (input side / patch size).</summary>
    public int Rows { get; }

    /// <summary>Columns of the map: the patch grid's width.</summary>
    public int Columns { get; }

    /// <summary>The map, row by row (<see cref="Rows"/> × <see cref="Columns"/> values in [0, 1]).</summary>
    public IReadOnlyList<float> Map => _map;

    /// <summary>
    /// The image as the model saw it: resized and cropped to the input size, before normalisation (grey for one-channel
    /// models). The map covers it: cell (r, c) is the patch at rows r·patch to (r + 1)·patch.
    /// </summary>
    public RgbImage InputView { get; }

    /// <summary>The value at <paramref name="row"/>, <paramref name="column"/>.</summary>
    public float this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
            ArgumentOutOfRangeException.ThrowIfNegative(column);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
            return _map[(row * Columns) + column];
        }
    }

    /// <summary>The map as an array of rows (what <c>convmixer explain --json</c> prints).</summary>
    public float[][] ToRows() =>
        Enumerable.Range(0, Rows).Select(r => _map.AsSpan(r * Columns, Columns).ToArray()).ToArray();

    /// <inheritdoc />
    public override string ToString() => $"{Method} of {Target} on a {Rows}x{Columns} grid";
}
