using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ConvMixerNet.Onnx;
using FluentAssertions;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>POST /v1/explain: the overlay PNG or the map as JSON, equal to the library's; its errors; and the page's heat map toggle.</summary>
public class ExplainApiTests
{
    [Fact]
    public async Task A_raw_body_and_a_form_get_the_overlay_png_of_the_top_class()
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();
        var photo = "rocket_portrait.jpg";
        using var classifier = Classifier();
        var expected = classifier.Explain(Fixtures.Image(photo));

        using var raw = await client.PostAsync(Explain(), ClassifyApiTests.ImageBody(File.ReadAllBytes(Fixtures.Image(photo)), "image/jpeg"));
        using var form = await client.PostAsync(Explain(), Form(photo));

        foreach (var response in new[] { raw, form })
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            response.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
            response.Headers.GetValues("X-Class").Single().Should().Be(expected.ClassIndex.ToString(CultureInfo.InvariantCulture));
            var png = ImageDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
            (png.Width, png.Height).Should().Be((Fixtures.InputSize, Fixtures.InputSize));
            png.Pixels.ToArray().Should().Equal(ExplanationOverlay.Render(expected).Pixels.ToArray());
        }
    }

    [Theory]
    [InlineData("gradcam")]
    [InlineData("eigencam")]
    public async Task Accept_json_gets_the_map_the_library_computes(string method)
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();
        var photo = "coffee.webp";
        using var classifier = Classifier();
        var expected = classifier.Explain(Fixtures.Image(photo), 4, method == "gradcam" ? CamMethod.GradCam : CamMethod.EigenCam);
        using var request = new HttpRequestMessage(HttpMethod.Post, Explain($"class=4&method={method}")) { Content = Form(photo) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var answer = (await response.Content.ReadFromJsonAsync<ExplanationResponse>(Json.Options))!;
        answer.Image.Should().Be(photo);
        answer.Class.Should().Be(4);
        answer.Label.Should().Be("class 4");
        answer.Method.Should().Be(method);
        answer.Model.Should().Be("caseA.pth");
        answer.Probability.Should().BeApproximately(expected.Probability, 1e-6f);
        answer.Map.Should().HaveCount(expected.Rows).And.OnlyContain(r => r.Length == expected.Columns);
        answer.Map.SelectMany(r => r).Should().Equal(expected.Map, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Theory]
    [InlineData("class=10", 400, "class must be a class index from 0 to 9, not '10'")]
    [InlineData("class=-1", 400, "class must be a class index from 0 to 9")]
    [InlineData("class=cat", 400, "class must be a class index")]
    [InlineData("method=scorecam", 400, "method must be gradcam or eigencam, not 'scorecam'")]
    [InlineData("empty", 400, "the request body is empty")]
    [InlineData("not an image", 400, "not a supported image")]
    [InlineData("form without image", 400, "no field named 'image'")]
    [InlineData("text/plain", 415, "Content-Type text/plain is not accepted")]
    public async Task Bad_requests_get_a_4xx_with_a_message_as_classify_gives(string request, int status, string message)
    {
        using var factory = new ServerFactory();
        using var client = await factory.ReadyClientAsync();
        var photo = File.ReadAllBytes(Fixtures.Image("cat_landscape.jpg"));
        var noise = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919 % 251)).ToArray();
        using HttpContent content = request switch
        {
            "empty" => ClassifyApiTests.ImageBody([], "image/png"),
            "not an image" => ClassifyApiTests.ImageBody(noise, "image/jpeg"),
            "form without image" => new MultipartFormDataContent { { ClassifyApiTests.ImageBody(photo, "image/jpeg"), "picture", "cat.jpg" } },
            "text/plain" => new StringContent("a cat"),
            _ => ClassifyApiTests.ImageBody(photo, "image/jpeg"),
        };

        using var response = await client.PostAsync(Explain(request.Contains('=') ? request : null), content);

        await ClassifyApiTests.ShouldBeErrorAsync(response, status, message);
    }

    [Fact]
    public async Task An_onnx_model_with_its_last_layer_explains_with_EigenCam_and_refuses_GradCam_with_the_reason()
    {
        using var temp = new TemporaryDirectory();
        var onnx = temp.File("caseA.onnx");
        using (var model = ConvMixer.FromCheckpoint(Fixtures.Weights))
        {
            ConvMixerOnnxExporter.Export(model, onnx, options: new OnnxExportOptions { LastLayerOutput = true });
        }

        using var factory = new ServerFactory(new Dictionary<string, string?> { ["ConvMixer:Weights"] = onnx });
        using var client = await factory.ReadyClientAsync();
        var photo = "camera_gray.png";
        using var classifier = Classifier();
        var expected = classifier.Explain(Fixtures.Image(photo), method: CamMethod.EigenCam);
        using var request = new HttpRequestMessage(HttpMethod.Post, Explain("method=eigencam")) { Content = Form(photo) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var eigen = await client.SendAsync(request);
        using var grad = await client.PostAsync(Explain(), Form(photo));

        eigen.StatusCode.Should().Be(HttpStatusCode.OK, await eigen.Content.ReadAsStringAsync());
        var answer = (await eigen.Content.ReadFromJsonAsync<ExplanationResponse>(Json.Options))!;
        answer.Model.Should().Be("caseA.onnx");
        answer.Class.Should().Be(expected.ClassIndex);
        answer.Map.SelectMany(r => r).Should().Equal(expected.Map, (a, b) => Math.Abs(a - b) < 1e-4f);
        await ClassifyApiTests.ShouldBeErrorAsync(grad, 400, "Grad-CAM needs gradients, which the ONNX Runtime float32 backend does not compute");
    }

    [Fact]
    public async Task The_page_overlays_the_map_of_the_top_class_on_request_and_of_any_class_chosen()
    {
        using var server = await ServerProcess.StartAsync();
        using var profile = new TemporaryDirectory();
        using var driver = BrowserPageTests.StartChromium(profile.Path);
        var photo = "cat_landscape.jpg";
        var expected = Fixtures.Expected(photo);
        var script = (IJavaScriptExecutor)driver;
        bool Loaded(IWebElement image) => (bool)script.ExecuteScript("return arguments[0].complete && arguments[0].naturalWidth > 0;", image)!;

        driver.Navigate().GoToUrl(server.Address);
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(30));
        wait.Until(d => d.FindElement(By.Id("model-info")).Text.Contains("caseA.pth", StringComparison.Ordinal));
        driver.FindElement(By.Id("image-input")).SendKeys(Fixtures.Image(photo));
        var toggle = driver.FindElement(By.Id("heatmap-toggle"));
        wait.Until(_ => toggle.Enabled);

        // The top class's map is ready but hidden until asked for.
        var overlay = driver.FindElement(By.Id("overlay"));
        var preview = driver.FindElement(By.Id("preview"));
        overlay.Displayed.Should().BeFalse();
        preview.Displayed.Should().BeTrue();
        overlay.GetAttribute("data-index").Should().Be(expected[0].ClassIndex.ToString(CultureInfo.InvariantCulture));
        driver.FindElement(By.CssSelector("label.toggle")).Text.Should().Contain("Show where the model looked");

        toggle.Click();
        wait.Until(_ => overlay.Displayed && Loaded(overlay));
        preview.Displayed.Should().BeFalse("the overlay already holds the image");
        ((long)script.ExecuteScript("return arguments[0].naturalWidth;", overlay)!).Should().Be(Fixtures.InputSize);
        overlay.GetAttribute("alt").Should().Contain(expected[0].Label).And.Contain(photo);
        toggle.Click();
        wait.Until(_ => preview.Displayed && !overlay.Displayed);

        // Choosing another class shows its map at once.
        var second = driver.FindElements(By.CssSelector("#predictions button.explain"))[1];
        second.Text.Should().Be(expected[1].Label);
        second.Click();
        wait.Until(_ => overlay.GetAttribute("data-index") == expected[1].ClassIndex.ToString(CultureInfo.InvariantCulture) && overlay.Displayed && Loaded(overlay));
        toggle.Selected.Should().BeTrue();
        second.GetAttribute("aria-pressed").Should().Be("true");
        driver.FindElement(By.Id("heatmap-status")).Text.Should().Contain(expected[1].Label);
    }

    private static ImageClassifier Classifier() =>
        ImageClassifier.FromCheckpoint(Fixtures.Weights, new ImageClassifierOptions { Overrides = new DataConfigOverrides { InputSize = Fixtures.InputSize } });

    private static Uri Explain(string? query = null) => new("/v1/explain" + (query is null ? string.Empty : "?" + query), UriKind.Relative);

    private static MultipartFormDataContent Form(string photo) =>
        new() { { ClassifyApiTests.ImageBody(File.ReadAllBytes(Fixtures.Image(photo)), "image/jpeg"), "image", photo } };
}
