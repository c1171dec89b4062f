using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>The Open Inference Protocol (v2) REST API with the golden model (served as convmixer_32_2).</summary>
public class OpenInferenceTests
{
    private const string Model = "convmixer_32_2";
    private static readonly Uri Infer = new($"/v2/models/{Model}/infer", UriKind.Relative);

    [Fact]
    public async Task Golden_logits_come_back_through_json_and_binary_inputs_within_tolerance()
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();
        var input = Fixtures.GoldenInput;
        var golden = Fixtures.GoldenLogits;

        var jsonRequest = new JsonObject
        {
            ["id"] = "golden-1",
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input",
                ["datatype"] = "FP32",
                ["shape"] = new JsonArray(2, 3, 32, 32),
                ["data"] = new JsonArray([.. input.Select(v => (JsonNode)v)]),
            }),
        };
        using var jsonResponse = await client.PostAsync(Infer, InferenceClient.Json(jsonRequest));
        jsonResponse.StatusCode.Should().Be(HttpStatusCode.OK, await jsonResponse.Content.ReadAsStringAsync());
        var (answer, _) = await InferenceClient.ReadAsync(jsonResponse);
        answer.GetProperty("id").GetString().Should().Be("golden-1");
        answer.GetProperty("model_name").GetString().Should().Be(Model);
        var logits = InferenceClient.Output(answer, "logits");
        logits.GetProperty("datatype").GetString().Should().Be("FP32");
        logits.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).Should().Equal(2, 10);
        ShouldBeClose(InferenceClient.Floats(logits), golden);
        ShouldBeClose(InferenceClient.Floats(InferenceClient.Output(answer, "probabilities")), Softmax(golden, 10));

        // The same tensor as binary data, the logits asked for as binary data: the same numbers.
        var header = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input",
                ["datatype"] = "FP32",
                ["shape"] = new JsonArray(2, 3, 32, 32),
                ["parameters"] = new JsonObject { ["binary_data_size"] = input.Length * sizeof(float) },
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits", ["parameters"] = new JsonObject { ["binary_data"] = true } }),
        };
        using var binaryResponse = await client.PostAsync(Infer, InferenceClient.WithBinary(header, InferenceClient.FloatBytes(input)));
        binaryResponse.StatusCode.Should().Be(HttpStatusCode.OK, await binaryResponse.Content.ReadAsStringAsync());
        var (binaryAnswer, binary) = await InferenceClient.ReadAsync(binaryResponse);
        binaryAnswer.GetProperty("outputs").GetArrayLength().Should().Be(1);
        var binaryLogits = MemoryMarshal.Cast<byte, float>(binary["logits"]).ToArray();
        ShouldBeClose(binaryLogits, golden);
        binaryLogits.Should().Equal(InferenceClient.Floats(logits));
    }

    [Fact]
    public async Task Encoded_images_as_base64_or_binary_bytes_get_v1s_top5_through_the_classification_extension()
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();
        string[] photos = ["cat_landscape.jpg", "coffee.webp"];
        var files = photos.Select(p => File.ReadAllBytes(Fixtures.Image(p))).ToArray();
        var outputs = new JsonArray(new JsonObject { ["name"] = "probabilities", ["parameters"] = new JsonObject { ["classification"] = 5 } });

        var base64 = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "image",
                ["datatype"] = "BYTES",
                ["shape"] = new JsonArray(2),
                ["parameters"] = new JsonObject { ["content_type"] = "base64" },
                ["data"] = new JsonArray([.. files.Select(f => (JsonNode)Convert.ToBase64String(f))]),
            }),
            ["outputs"] = outputs.DeepClone(),
        };
        var header = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "image",
                ["datatype"] = "BYTES",
                ["shape"] = new JsonArray(2),
                ["parameters"] = new JsonObject { ["binary_data_size"] = InferenceClient.LengthPrefixed(files).Length },
            }),
            ["outputs"] = outputs.DeepClone(),
        };
        using var jsonResponse = await client.PostAsync(Infer, InferenceClient.Json(base64));
        using var binaryResponse = await client.PostAsync(Infer, InferenceClient.WithBinary(header, InferenceClient.LengthPrefixed(files)));

        foreach (var response in new[] { jsonResponse, binaryResponse })
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var (answer, _) = await InferenceClient.ReadAsync(response);
            var output = InferenceClient.Output(answer, "probabilities");
            output.GetProperty("datatype").GetString().Should().Be("BYTES");
            output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).Should().Equal(2, 5);
            var strings = output.GetProperty("data").EnumerateArray().Select(s => s.GetString()!).ToArray();
            for (var i = 0; i < photos.Length; i++)
            {
                var expected = Fixtures.Expected(photos[i], topK: 5);
                for (var k = 0; k < 5; k++)
                {
                    var parts = strings[(i * 5) + k].Split(':', 3);
                    int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture).Should().Be(expected[k].ClassIndex, strings[(i * 5) + k]);
                    parts[2].Should().Be(expected[k].Label);
                    float.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture).Should().BeApproximately(expected[k].Probability, 1e-5f);
                }
            }
        }
    }

    [Fact]
    public async Task Server_and_model_metadata_health_and_versions_follow_the_protocol()
    {
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["ConvMixer:ModelName"] = "cats" });
        using var client = await factory.ReadyClientAsync();

        using var server = JsonDocument.Parse(await client.GetStringAsync(new Uri("/v2", UriKind.Relative)));
        server.RootElement.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()).Should().Contain(["binary_tensor_data", "classification"]);
        server.RootElement.GetProperty("name").GetString().Should().NotBeNullOrEmpty();
        (await client.GetStringAsync(new Uri("/v2/health/live", UriKind.Relative))).Should().Be("{\"live\":true}");
        (await client.GetStringAsync(new Uri("/v2/health/ready", UriKind.Relative))).Should().Be("{\"ready\":true}");

        foreach (var path in new[] { "/v2/models/cats", "/v2/models/cats/versions/1" })
        {
            using var model = JsonDocument.Parse(await client.GetStringAsync(new Uri(path, UriKind.Relative)));
            var root = model.RootElement;
            root.GetProperty("name").GetString().Should().Be("cats");
            root.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).Should().Equal("1");
            root.GetProperty("platform").GetString().Should().Be("torchsharp");
            Tensors(root, "inputs").Should().Equal("input FP32 [-1,3,32,32]", "image BYTES [-1]");
            Tensors(root, "outputs").Should().Equal("logits FP32 [-1,10]", "probabilities FP32 [-1,10]");
            (await client.GetStringAsync(new Uri(path + "/ready", UriKind.Relative))).Should().Be("{\"name\":\"cats\",\"ready\":true}");
        }

        await ShouldFailAsync(await client.GetAsync(new Uri("/v2/models/dogs", UriKind.Relative)), HttpStatusCode.NotFound, "unknown model 'dogs': this server serves 'cats'");
        await ShouldFailAsync(await client.GetAsync(new Uri("/v2/models/cats/versions/2", UriKind.Relative)), HttpStatusCode.NotFound, "model 'cats' has version 1, not '2'");
        await ShouldFailAsync(await client.GetAsync(new Uri("/v2/models/dogs/ready", UriKind.Relative)), HttpStatusCode.NotFound, "unknown model 'dogs'");
        await ShouldFailAsync(
            await client.PostAsync(new Uri("/v2/models/dogs/infer", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json")),
            HttpStatusCode.NotFound,
            "unknown model 'dogs'");
    }

    [Fact]
    public async Task Queued_v2_requests_run_in_one_forward_pass_and_each_gets_its_own_rows()
    {
        using var gate = new WorkerGate();
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["ConvMixer:BatchSize"] = "8" }, gate);
        using var client = await factory.ReadyClientAsync();
        var input = Fixtures.GoldenInput;
        var golden = Fixtures.GoldenLogits;
        var half = input.Length / 2;
        JsonObject Request(int image) => new()
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input",
                ["datatype"] = "FP32",
                ["shape"] = new JsonArray(1, 3, 32, 32),
                ["data"] = new JsonArray([.. input.Skip(image * half).Take(half).Select(v => (JsonNode)v)]),
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits" }),
        };

        // The worker holds a first request while three more queue: the next forward pass takes the three together.
        var first = client.PostAsync(Infer, InferenceClient.Json(Request(0)));
        await gate.WaitForBatchAsync();
        var queued = new[] { 1, 0, 1 }.Select(image => (Image: image, Answer: client.PostAsync(Infer, InferenceClient.Json(Request(image))))).ToArray();
        await BatchingTests.WaitUntilQueuedAsync(client, 3);
        gate.Open();
        using var firstResponse = await first;

        foreach (var (image, answer) in queued)
        {
            using var response = await answer;
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var (json, _) = await InferenceClient.ReadAsync(response);
            ShouldBeClose(InferenceClient.Floats(InferenceClient.Output(json, "logits")), golden[(image * 10)..((image + 1) * 10)]);
        }

        gate.BatchSizes.Should().Equal([1, 3], "the three queued requests make one batch");
    }

    [Fact]
    public async Task While_the_model_loads_v2_is_live_but_not_ready_and_inference_gets_503()
    {
        using var gate = new WorkerGate(holdLoading: true);
        using var factory = new ServerFactory(gate: gate);
        using var client = factory.CreateClient();
        await gate.WaitForLoadingAsync();

        using var live = await client.GetAsync(new Uri("/v2/health/live", UriKind.Relative));
        using var ready = await client.GetAsync(new Uri("/v2/health/ready", UriKind.Relative));
        using var modelReady = await client.GetAsync(new Uri($"/v2/models/{Model}/ready", UriKind.Relative));
        using var infer = await client.PostAsync(Infer, new StringContent("{}", Encoding.UTF8, "application/json"));
        gate.OpenLoading();
        gate.Open();

        live.StatusCode.Should().Be(HttpStatusCode.OK);
        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).Should().Be("{\"ready\":false}");
        modelReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        await ShouldFailAsync(infer, HttpStatusCode.ServiceUnavailable, "the model is still loading");
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { "{\"inputs\": [", "the request is not valid JSON" },
        { "{\"inputs\": []}", "the request has no 'inputs'" },
        { """{"inputs": [{"name": "pixels", "datatype": "FP32", "shape": [1], "data": [0]}]}""", "unknown input 'pixels': this model takes 'input'" },
        { """{"inputs": [{"name": "input", "datatype": "INT64", "shape": [1, 3, 32, 32], "data": [0]}]}""", "input 'input' must have datatype FP32, not INT64" },
        { """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3, 16, 16], "data": [0]}]}""", "input 'input' must have shape [N, 3, 32, 32], not [1, 3, 16, 16]" },
        { """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3, 32, 32], "data": [0, 1, 2]}]}""", "input 'input' has 3 values; shape [1, 3, 32, 32] holds 3072" },
        { """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3, 32, 32], "data": ["a"]}]}""", "input 'input': value 0 is not an FP32 number" },
        { """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [9, 3, 32, 32], "data": [0]}]}""", "input 'input' has batch size 9; this server takes 1 to 8 images per request" },
        { """{"inputs": [{"name": "image", "datatype": "FP32", "shape": [1], "data": ["AAAA"]}]}""", "input 'image' must have datatype BYTES, not FP32" },
        { """{"inputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "data": ["AAAA"]}]}""", "\"content_type\": \"base64\"" },
        { """{"inputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "parameters": {"content_type": "base64"}, "data": ["not base64!"]}]}""", "input 'image' element 0 is not valid base64" },
        { """{"inputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "parameters": {"content_type": "base64"}, "data": ["aGVsbG8gd29ybGQ="]}]}""", "input 'image' element 0 cannot be read as an image" },
        { """{"inputs": [{"name": "image", "datatype": "BYTES", "shape": [2], "parameters": {"content_type": "base64"}, "data": ["aGVsbG8="]}]}""", "input 'image' has 1 elements; shape [2] holds 2" },
        { """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3, 32, 32], "data": [0]}], "outputs": [{"name": "softmax"}]}""", "unknown output 'softmax'" },
        { """{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3, 32, 32], "data": [0]}], "outputs": [{"name": "logits", "parameters": {"classification": 11}}]}""", "classification must be a whole number from 1 to 10" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_json_request_gets_400_naming_the_problem(string body, string problem)
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();

        await ShouldFailAsync(await client.PostAsync(Infer, new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, problem);
    }

    [Fact]
    public async Task Binary_data_that_does_not_match_its_declaration_gets_400_naming_the_problem()
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();
        JsonObject Header(long size) => new()
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input",
                ["datatype"] = "FP32",
                ["shape"] = new JsonArray(1, 3, 32, 32),
                ["parameters"] = new JsonObject { ["binary_data_size"] = size },
            }),
        };

        await ShouldFailAsync(
            await client.PostAsync(Infer, InferenceClient.WithBinary(Header(12), new byte[12])), HttpStatusCode.BadRequest, "input 'input' has 12 bytes of binary data; shape [1, 3, 32, 32] needs 12288");
        await ShouldFailAsync(
            await client.PostAsync(Infer, InferenceClient.WithBinary(Header(16), new byte[12])), HttpStatusCode.BadRequest, "declares binary_data_size 16, but 12 bytes follow the JSON");
        using var lying = InferenceClient.WithBinary(Header(12), new byte[12]);
        lying.Headers.Remove(InferenceClient.HeaderLength);
        lying.Headers.Add(InferenceClient.HeaderLength, "100000");
        await ShouldFailAsync(await client.PostAsync(Infer, lying), HttpStatusCode.BadRequest, "Inference-Header-Content-Length is 100000");
    }

    private static IEnumerable<string> Tensors(JsonElement model, string kind) => model.GetProperty(kind).EnumerateArray().Select(t =>
        $"{t.GetProperty("name").GetString()} {t.GetProperty("datatype").GetString()} [{string.Join(",", t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()))}]");

    private static async Task ShouldFailAsync(HttpResponseMessage response, HttpStatusCode status, string problem)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(status, text);
            using var error = JsonDocument.Parse(text);
            error.RootElement.GetProperty("error").GetString().Should().Contain(problem);
            text.Should().NotContain("   at ", "no stack trace reaches the client");
        }
    }

    private static void ShouldBeClose(float[] actual, float[] expected)
    {
        actual.Should().HaveCount(expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Math.Abs((double)actual[i] - expected[i]).Should().BeLessThanOrEqualTo(1e-5 + (1e-5 * Math.Abs(expected[i])), $"value {i}");
        }
    }

    private static float[] Softmax(float[] logits, int classes)
    {
        var result = new float[logits.Length];
        for (var row = 0; row < logits.Length / classes; row++)
        {
            var span = logits.AsSpan(row * classes, classes);
            double max = span.ToArray().Max();
            var sum = span.ToArray().Sum(v => Math.Exp(v - max));
            for (var c = 0; c < classes; c++)
            {
                result[(row * classes) + c] = (float)(Math.Exp(span[c] - max) / sum);
            }
        }

        return result;
    }
}
