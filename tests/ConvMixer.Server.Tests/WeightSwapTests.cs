using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using FluentAssertions;
using TorchSharp;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>ConvMixer:WatchWeights: weights replaced under load take over between batches; a bad file keeps the served model.</summary>
public class WeightSwapTests
{
    private const string Photo = "cat_landscape.jpg";

    [Fact]
    public async Task Weights_swapped_under_concurrent_requests_take_over_with_no_failures_and_no_mixed_answers()
    {
        using var temp = new TestSupport.TemporaryDirectory();
        var weights = temp.File("model.safetensors");
        var first = temp.File("a.safetensors");
        var second = temp.File("b.safetensors");
        using (var model = ConvMixer.FromCheckpoint(Fixtures.Weights))
        {
            model.SaveCheckpoint(first);
            using (torch.no_grad())
            {
                // The same architecture with the head negated: other classes come first.
                foreach (var (name, parameter) in model.named_parameters().Where(p => p.name.StartsWith("head", StringComparison.Ordinal)))
                {
                    parameter.neg_();
                }
            }

            model.SaveCheckpoint(second);
        }

        var expectedA = Expected(first);
        var expectedB = Expected(second);
        expectedA.Select(p => p.ClassIndex).Should().NotEqual(expectedB.Select(p => p.ClassIndex), "the two models must be told apart by their answers");
        File.Copy(first, weights);
        var log = new LogRecorder();
        using var factory = new ServerFactory(
            new Dictionary<string, string?> { ["ConvMixer:Weights"] = weights, ["ConvMixer:WatchWeights"] = "true" }, log: log);
        using var client = await factory.ReadyClientAsync();
        (await WeightsAsync(client)).Sha256.Should().Be(Sha256(first));

        // Eight clients classify without pause; the weights are swapped once 16 answers are in, and they stop 16 answers after the new model took over.
        var answers = new ConcurrentQueue<(int Client, int Sequence, HttpStatusCode Status, string Body)>();
        var count = 0;
        var before = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = int.MaxValue;
        var after = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = false;
        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            for (var i = 0; !Volatile.Read(ref stop); i++)
            {
                using var response = await client.PostAsync(new Uri("/v1/classify", UriKind.Relative), ClassifyApiTests.ImageBody(File.ReadAllBytes(Fixtures.Image(Photo)), "image/jpeg"));
                answers.Enqueue((c, i, response.StatusCode, await response.Content.ReadAsStringAsync()));
                var n = Interlocked.Increment(ref count);
                if (n >= 16)
                {
                    before.TrySetResult();
                }

                if (n >= Volatile.Read(ref target))
                {
                    after.TrySetResult();
                }
            }
        })).ToArray();

        await before.Task;
        File.Copy(second, temp.File("model.safetensors.new"));
        File.Move(temp.File("model.safetensors.new"), weights, overwrite: true);
        await log.WaitForAsync("Now serving").WaitAsync(TimeSpan.FromSeconds(120));
        Volatile.Write(ref target, Volatile.Read(ref count) + 16);
        await after.Task;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(clients);

        answers.Should().OnlyContain(a => a.Status == HttpStatusCode.OK, "no request fails during the swap");
        var byClient = answers.GroupBy(a => a.Client).ToDictionary(g => g.Key, g => g.OrderBy(a => a.Sequence).Select(a => Which(a.Body, expectedA, expectedB)).ToList());
        byClient.Values.SelectMany(v => v).Should().OnlyContain(w => w == "A" || w == "B", "every answer comes from one model or the other, never a mix");
        byClient.Values.SelectMany(v => v).Should().Contain("A").And.Contain("B");
        foreach (var sequence in byClient.Values)
        {
            // Once a client has seen the new model it never sees the old one again.
            sequence.SkipWhile(w => w == "A").Should().OnlyContain(w => w == "B");
        }

        var version = await WeightsAsync(client);
        version.Sha256.Should().Be(Sha256(second));
        using var metadata = JsonDocument.Parse(await client.GetStringAsync(new Uri("/v2/models/convmixer_32_2", UriKind.Relative)));
        metadata.RootElement.GetProperty("parameters").GetProperty("sha256").GetString().Should().Be(Sha256(second));

        // A file that is not a checkpoint: the load fails, says why, and the served model stays.
        await File.WriteAllTextAsync(temp.File("model.safetensors.new"), "not a checkpoint");
        File.Move(temp.File("model.safetensors.new"), weights, overwrite: true);
        await log.WaitForAsync("The changed weights could not be loaded; the served model stays").WaitAsync(TimeSpan.FromSeconds(120));
        using var still = await client.PostAsync(new Uri("/v1/classify", UriKind.Relative), ClassifyApiTests.ImageBody(File.ReadAllBytes(Fixtures.Image(Photo)), "image/jpeg"));
        still.StatusCode.Should().Be(HttpStatusCode.OK);
        Which(await still.Content.ReadAsStringAsync(), expectedA, expectedB).Should().Be("B");
        (await WeightsAsync(client)).Should().Be(version);
    }

    private static IReadOnlyList<Prediction> Expected(string weights)
    {
        using var classifier = ImageClassifier.FromCheckpoint(weights, new ImageClassifierOptions { Overrides = new DataConfigOverrides { InputSize = Fixtures.InputSize } });
        return classifier.Classify(Fixtures.Image(Photo), 5);
    }

    private static string Which(string body, IReadOnlyList<Prediction> a, IReadOnlyList<Prediction> b)
    {
        var answer = JsonSerializer.Deserialize<ClassificationResponse>(body, Json.Options)!;
        bool Same(IReadOnlyList<Prediction> expected) => answer.Predictions.Count == expected.Count
            && answer.Predictions.Zip(expected).All(p => p.First.Index == p.Second.ClassIndex && Math.Abs(p.First.Probability - p.Second.Probability) <= 1e-6);
        return Same(a) ? "A" : Same(b) ? "B" : body;
    }

    private static async Task<WeightsVersion> WeightsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<ModelDescription>(new Uri("/v1/model", UriKind.Relative), Json.Options))!.Weights!;

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))[..12];
}
