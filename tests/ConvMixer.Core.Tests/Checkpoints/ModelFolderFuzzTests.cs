using System.Text.Json.Nodes;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Core.Tests;

/// <summary>
/// A model folder's config.json mutated in many ways (byte flips, values of the wrong type or size, missing fields):
/// each mutation either loads or is refused with an <see cref="InvalidCheckpointException"/>; nothing else escapes.
/// </summary>
public class ModelFolderFuzzTests
{
    private static readonly JsonNode?[] OddValues =
        [null, -1, 0, 1, 2147483648L, 1e308, -1e308, "", "x", true, new JsonArray(), new JsonObject(), new JsonArray(1, 2, 3), new JsonArray("a", null)];

    [Fact]
    public void Every_mutation_of_config_json_loads_or_is_refused_as_an_invalid_checkpoint()
    {
        using var dir = new TemporaryDirectory();
        var folder = dir.File("model");
        using (var model = new ConvMixer(dim: 8, depth: 1, kernelSize: 3, patchSize: 2, numClasses: 2))
        {
            ModelFolder.Save(model, folder);
        }

        var configPath = Path.Combine(folder, ModelFolder.ConfigFileName);
        var original = File.ReadAllText(configPath);
        var mutations = new List<string>();
        foreach (var path in LeafPaths(JsonNode.Parse(original)!, []))
        {
            foreach (var value in OddValues)
            {
                mutations.Add(Mutate(original, path, value?.DeepClone(), remove: false));
            }

            mutations.Add(Mutate(original, path, null, remove: true));
        }

        var random = new Random(5);
        var bytes = System.Text.Encoding.UTF8.GetBytes(original);
        for (var i = 0; i < 150; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
            mutations.Add(System.Text.Encoding.UTF8.GetString(copy));
        }

        mutations.Add(string.Empty);
        mutations.Add("[]");
        mutations.Add(new string('[', 100_000));
        var outcomes = new Dictionary<string, int>();
        foreach (var mutation in mutations)
        {
            File.WriteAllText(configPath, mutation);
            string outcome;
            try
            {
                using var loaded = ConvMixer.FromCheckpoint(folder);
                outcome = "loaded";
            }
            catch (InvalidCheckpointException)
            {
                outcome = "refused";
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"config.json {mutation} escaped as {e.GetType().Name}: {e.Message}");
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        outcomes.Should().ContainKey("refused").And.ContainKey("loaded");
    }

    // Paths to every value of the document (object keys and array indices).
    private static IEnumerable<object[]> LeafPaths(JsonNode node, object[] prefix)
    {
        if (prefix.Length > 0)
        {
            yield return prefix;
        }

        var children = node switch
        {
            JsonObject o => o.Select(p => ((object)p.Key, p.Value)).ToList(),
            JsonArray a => a.Select((v, i) => ((object)i, v)).ToList(),
            _ => [],
        };
        foreach (var (key, child) in children)
        {
            if (child is null)
            {
                yield return [.. prefix, key];
                continue;
            }

            foreach (var path in LeafPaths(child, [.. prefix, key]))
            {
                yield return path;
            }
        }
    }

    private static string Mutate(string json, object[] path, JsonNode? value, bool remove)
    {
        var root = JsonNode.Parse(json)!;
        var parent = root;
        foreach (var step in path[..^1])
        {
            parent = step is string key ? parent[key]! : parent[(int)step]!;
        }

        switch (path[^1])
        {
            case string key when remove:
                parent.AsObject().Remove(key);
                break;
            case string key:
                parent[key] = value;
                break;
            case int index when remove:
                parent.AsArray().RemoveAt(index);
                break;
            case int index:
                parent[index] = value;
                break;
        }

        return root.ToJsonString();
    }
}
