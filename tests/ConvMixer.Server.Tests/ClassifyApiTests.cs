using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FluentAssertions;
using Xunit;

namespace ConvMixerNet.Server.Tests;

public class ClassifyApiTests
{
    private static readonly Uri Classify = new("/v1/classify", UriKind.Relative);

    [Fact]
    public async Task A_raw_body_and_a_multipart_field_get_ImageClassifiers_answer()
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();
        var photo = "cat_landscape.jpg";
        var expected = Fixtures.Expected(photo, topK: 3);

        using var raw = await client.PostAsync(new Uri("/v1/classify?top=3", UriKind.Relative), ImageBody(File.ReadAllBytes(Fixtures.Image(photo)), "image/jpeg"));
        using var form = new MultipartFormDataContent { { ImageBody(File.ReadAllBytes(Fixtures.Image(photo)), "image/jpeg"), "image", photo } };
        form.Add(new StringContent("ignored"), "comment");
        using var multipart = await client.PostAsync(new Uri("/v1/classify?top=3", UriKind.Relative), form);

        foreach (var response in new[] { raw, multipart })
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var answer = await response.Content.ReadFromJsonAsync<ClassificationResponse>(Json.Options);
            answer!.Model.Should().Be("caseA.pth");
            answer.ElapsedMs.Should().BePositive();
            ShouldMatch(answer.Predictions, expected);
        }
    }

    [Fact]
    public async Task Onnx_weights_run_on_onnx_runtime_with_the_same_answers()
    {
        using var temp = new TestSupport.TemporaryDirectory();
        var onnx = temp.File("caseA.onnx");
        using (var model = ConvMixer.FromCheckpoint(Fixtures.Weights))
        {
            ConvMixerNet.Onnx.ConvMixerOnnxExporter.Export(model, onnx);
        }

        using var factory = new ServerFactory(new Dictionary<string, string?> { ["ConvMixer:Weights"] = onnx, ["ConvMixer:InputSize"] = Fixtures.InputSize.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var client = await factory.ReadyClientAsync();
        var photo = "rocket_portrait.jpg";

        using var response = await client.PostAsync(new Uri("/v1/classify?top=3", UriKind.Relative), ImageBody(File.ReadAllBytes(Fixtures.Image(photo)), "image/jpeg"));

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var answer = await response.Content.ReadFromJsonAsync<ClassificationResponse>(Json.Options);
        answer!.Model.Should().Be("caseA.onnx");
        ShouldMatch(answer.Predictions, Fixtures.Expected(photo, topK: 3));
    }

    [Fact]
    public async Task The_answer_uses_the_documented_json_names_and_five_classes_by_default()
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();

        using var response = await client.PostAsync(Classify, ImageBody(File.ReadAllBytes(Fixtures.Image("coffee.webp")), "application/octet-stream"));
        var json = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK, json);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        json.Should().StartWith("{\"predictions\":[{\"index\":").And.Contain("\"label\":\"class ").And.Contain("\"probability\":")
            .And.Contain("\"model\":\"caseA.pth\"").And.Contain("\"elapsed_ms\":");
        (await response.Content.ReadFromJsonAsync<ClassificationResponse>(Json.Options))!.Predictions.Should().HaveCount(5);
    }

    [Theory]
    [InlineData("empty", 400, "the request body is empty")]
    [InlineData("not an image", 400, "not a supported image")]
    [InlineData("truncated", 400, "truncated")]
    [InlineData("empty form field", 400, "the form field 'image' is empty")]
    [InlineData("form without image", 400, "no field named 'image'")]
    [InlineData("text/plain", 415, "Content-Type text/plain is not accepted")]
    [InlineData("top=0", 400, "top must be a positive whole number")]
    [InlineData("top=two", 400, "top must be a positive whole number")]
    public async Task Bad_uploads_get_a_4xx_with_a_message_and_no_stack_trace(string upload, int status, string message)
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();
        var photo = File.ReadAllBytes(Fixtures.Image("cat_landscape.jpg"));
        var noise = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919 % 251)).ToArray();
        var uri = upload.StartsWith("top=", StringComparison.Ordinal) ? new Uri("/v1/classify?" + upload, UriKind.Relative) : Classify;
        using HttpContent content = upload switch
        {
            "empty" => ImageBody([], "image/png"),
            "not an image" => ImageBody(noise, "image/jpeg"),
            "truncated" => ImageBody(photo[..5000], "image/jpeg"),
            "empty form field" => new MultipartFormDataContent { { ImageBody([], "image/jpeg"), "image", "empty.jpg" } },
            "form without image" => new MultipartFormDataContent { { ImageBody(photo, "image/jpeg"), "picture", "cat.jpg" } },
            "text/plain" => new StringContent("a cat"),
            _ => ImageBody(photo, "image/jpeg"),
        };

        using var response = await client.PostAsync(uri, content);

        await ShouldBeErrorAsync(response, status, message);
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_raw_or_as_a_form()
    {
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["ConvMixer:MaxUploadBytes"] = "10000" });
        using var client = await factory.ReadyClientAsync();
        var photo = File.ReadAllBytes(Fixtures.Image("cat_landscape.jpg"));
        photo.Length.Should().BeGreaterThan(10000);

        using var raw = await client.PostAsync(Classify, ImageBody(photo, "image/jpeg"));
        using var form = await client.PostAsync(Classify, new MultipartFormDataContent { { ImageBody(photo, "image/jpeg"), "image", "cat.jpg" } });
        using var small = await client.PostAsync(Classify, ImageBody(File.ReadAllBytes(Fixtures.Image("hubble_small.bmp"))[..9000], "image/bmp"));

        await ShouldBeErrorAsync(raw, 413, "the limit is 10000 bytes");
        await ShouldBeErrorAsync(form, 413, "the limit is 10000 bytes");
        small.StatusCode.Should().NotBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Health_readiness_and_the_model_description_are_served()
    {
        using var factory = new ServerFactory(new Dictionary<string, string?> { ["ConvMixer:BatchSize"] = "4" });
        using var client = await factory.ReadyClientAsync();

        var health = await client.GetStringAsync(new Uri("/healthz", UriKind.Relative));
        var ready = await client.GetStringAsync(new Uri("/readyz", UriKind.Relative));
        var model = await client.GetFromJsonAsync<ModelDescription>(new Uri("/v1/model", UriKind.Relative), Json.Options);

        health.Should().Be("{\"status\":\"alive\"}");
        ready.Should().Be("{\"status\":\"ready\"}");
        model!.Name.Should().Be("caseA.pth");
        model.Architecture.Should().BeEquivalentTo(new { Name = "ConvMixer-32/2", Dim = 32, Depth = 2, NumClasses = 10, Activation = Activation.Gelu });
        model.Classes.Should().Equal(Enumerable.Range(0, 10).Select(i => $"class {i}"));
        model.Preprocessing.Should().BeEquivalentTo(new { InputSize = 32, ResizeSize = 33, CropFraction = 0.96, Interpolation = Interpolation.Bicubic });
        model.Serving!.BatchSize.Should().Be(4);
    }

    [Fact]
    public async Task While_the_model_loads_classify_and_model_get_503_with_Retry_After_and_readyz_says_loading()
    {
        using var gate = new WorkerGate(holdLoading: true);
        using var factory = new ServerFactory(gate: gate);
        using var client = factory.CreateClient();
        await gate.WaitForLoadingAsync();
        var photo = File.ReadAllBytes(Fixtures.Image("coffee.webp"));

        using var readiness = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var classify = await client.PostAsync(Classify, ImageBody(photo, "image/webp"));
        using var model = await client.GetAsync(new Uri("/v1/model", UriKind.Relative));
        gate.OpenLoading();
        gate.Open();
        using var ready = await factory.ReadyClientAsync();
        using var afterwards = await ready.PostAsync(Classify, ImageBody(photo, "image/webp"));

        readiness.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await readiness.Content.ReadAsStringAsync()).Should().Be("{\"status\":\"loading\"}");
        health.StatusCode.Should().Be(HttpStatusCode.OK, "the process is alive while it loads");
        foreach (var refused in new[] { classify, model })
        {
            await ShouldBeErrorAsync(refused, 503, "the model is still loading");
            refused.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
        }

        afterwards.StatusCode.Should().Be(HttpStatusCode.OK, await afterwards.Content.ReadAsStringAsync());
        gate.BatchSizes.Should().Equal([1], "the request refused while loading was never queued");
    }

    [Fact]
    public async Task Top_is_capped_at_the_class_count()
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();
        var photo = "hubble_small.bmp";
        var expected = Fixtures.Expected(photo, topK: 10);

        foreach (var top in new[] { "11", "1000000" })
        {
            using var response = await client.PostAsync(new Uri($"/v1/classify?top={top}", UriKind.Relative), ImageBody(File.ReadAllBytes(Fixtures.Image(photo)), "image/bmp"));

            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            ShouldMatch((await response.Content.ReadFromJsonAsync<ClassificationResponse>(Json.Options))!.Predictions, expected);
        }
    }

    [Fact]
    public async Task The_page_is_served_with_its_script_and_style()
    {
        using var factory = new ServerFactory();
        using var client = factory.CreateClient();

        using var page = await client.GetAsync(new Uri("/", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        var script = await client.GetStringAsync(new Uri("/app.js", UriKind.Relative));
        using var style = await client.GetAsync(new Uri("/app.css", UriKind.Relative));

        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'self'");
        html.Should().Contain("<input id=\"image-input\" name=\"image\" type=\"file\"").And.Contain("<label for=\"image-input\">")
            .And.Contain("aria-live=\"polite\"").And.Contain("src=\"/app.js\"");
        script.Should().Contain("/v1/classify");
        style.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    internal static async Task ShouldBeErrorAsync(HttpResponseMessage response, int status, string message)
    {
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var error = System.Text.Json.JsonSerializer.Deserialize<ErrorResponse>(body, Json.Options)!;
        error.Error.Should().Contain(message);
        body.Should().NotContain("   at ").And.NotContain("Exception");
    }

    internal static void ShouldMatch(IReadOnlyList<PredictionResponse> actual, IReadOnlyList<Prediction> expected)
    {
        // A batch's forward may differ from a single image's in the last float bits, never in the order.
        actual.Select(p => p.Index).Should().Equal(expected.Select(p => p.ClassIndex));
        actual.Select(p => p.Label).Should().Equal(expected.Select(p => p.Label));
        actual.Select(p => p.Probability).Should().Equal(expected.Select(p => p.Probability), (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    internal static ByteArrayContent ImageBody(byte[] data, string contentType)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }
}
