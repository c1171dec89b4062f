using System.Text.Json;

namespace ConvMixerNet.LoadTest;

/// <summary>
/// The answer each image must get: from `convmixer predict --json` when given, else the first answer seen for it
/// (then every later answer must agree with it). Class order must be equal, probabilities equal to 1e-5: a batched
/// forward may differ from a single one in the last bits.
/// </summary>
internal sealed class AnswerBook
{
    private readonly Dictionary<string, (int[] Indices, float[] Probabilities)> _answers = new(StringComparer.Ordinal);

    public static AnswerBook FromCli(string? path)
    {
        var book = new AnswerBook();
        if (path is null)
        {
            return book;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var image in document.RootElement.EnumerateArray())
        {
            book._answers[Path.GetFileName(image.GetProperty("image").GetString()!)] = Read(image.GetProperty("predictions"));
        }

        return book;
    }

    /// <summary>True when the server's <c>predictions</c> array for <paramref name="image"/> is the expected answer.</summary>
    public bool Agrees(string image, JsonElement predictions)
    {
        var answer = Read(predictions);
        lock (_answers)
        {
            if (!_answers.TryGetValue(Path.GetFileName(image), out var expected))
            {
                _answers[Path.GetFileName(image)] = answer;
                return true;
            }

            return expected.Indices.SequenceEqual(answer.Indices)
                && expected.Probabilities.Zip(answer.Probabilities).All(p => Math.Abs(p.First - p.Second) < 1e-5f);
        }
    }

    /// <summary>
    /// True when a /v2 answer's probabilities for <paramref name="image"/> agree with the answer /v1 gave (or the CLI's):
    /// the same top class, and the expected classes' probabilities equal to 1e-5. False when there is no answer to compare with.
    /// </summary>
    public bool AgreesWithProbabilities(string image, float[] probabilities)
    {
        (int[] Indices, float[] Probabilities) expected;
        lock (_answers)
        {
            if (!_answers.TryGetValue(Path.GetFileName(image), out expected))
            {
                return false;
            }
        }

        var top = 0;
        for (var c = 1; c < probabilities.Length; c++)
        {
            top = probabilities[c] > probabilities[top] ? c : top;
        }

        return expected.Indices.Length > 0 && top == expected.Indices[0]
            && expected.Indices.Zip(expected.Probabilities).All(e => e.First < probabilities.Length && Math.Abs(probabilities[e.First] - e.Second) < 1e-5f);
    }

    private static (int[] Indices, float[] Probabilities) Read(JsonElement predictions) => (
        predictions.EnumerateArray().Select(p => p.GetProperty("index").GetInt32()).ToArray(),
        predictions.EnumerateArray().Select(p => p.GetProperty("probability").GetSingle()).ToArray());
}
