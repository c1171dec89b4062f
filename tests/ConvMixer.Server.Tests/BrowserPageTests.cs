using System.Globalization;
using FluentAssertions;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit;

namespace ConvMixerNet.Server.Tests;

/// <summary>
/// The page in headless Chromium (the system's chromium and chromedriver; nothing is downloaded), served by the real
/// server on Kestrel. A browser that cannot start fails the test.
/// </summary>
public class BrowserPageTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    [Fact]
    public async Task Choosing_or_dropping_a_photo_shows_it_and_its_top_five_as_labelled_bars()
    {
        File.Exists(Chromium).Should().BeTrue($"the browser test needs {Chromium} (Debian's chromium package)");
        File.Exists(ChromeDriver).Should().BeTrue($"the browser test needs {ChromeDriver} (Debian's chromium-driver package)");
        using var server = await ServerProcess.StartAsync();
        using var profile = new TemporaryDirectory();
        using var driver = StartChromium(profile.Path);
        var photo = "cat_landscape.jpg";
        var expected = Fixtures.Expected(photo);

        driver.Navigate().GoToUrl(server.Address);
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(30));
        wait.Until(d => d.FindElement(By.Id("model-info")).Text.Contains("caseA.pth", StringComparison.Ordinal));
        driver.FindElement(By.TagName("body")).SendKeys(Keys.Tab);
        var focused = driver.SwitchTo().ActiveElement();
        driver.FindElement(By.Id("image-input")).SendKeys(Fixtures.Image(photo));
        wait.Until(d => d.FindElements(By.CssSelector("#predictions li")).Count == 5);

        focused.GetAttribute("id").Should().Be("image-input", "the file input is the first stop of the keyboard");
        driver.FindElement(By.CssSelector("label[for='image-input']")).Text.Should().Contain("Choose an image");
        driver.FindElement(By.Id("result")).GetAttribute("aria-live").Should().Be("polite");
        var rows = driver.FindElements(By.CssSelector("#predictions li"));
        rows.Select(r => r.FindElement(By.ClassName("label")).Text).Should().Equal(expected.Select(p => p.Label));
        rows.Select(r => r.FindElement(By.ClassName("probability")).Text)
            .Should().Equal(expected.Select(p => (p.Probability * 100).ToString("F1", CultureInfo.InvariantCulture) + "%"));
        rows.Select(r => r.FindElement(By.CssSelector("[role='meter']")).GetAttribute("aria-label"))
            .Should().Equal(expected.Select(p => $"{p.Label} probability"));
        driver.FindElement(By.Id("status")).Text.Should().StartWith($"{photo}: {expected[0].Label}");
        var preview = driver.FindElement(By.Id("preview"));
        preview.Displayed.Should().BeTrue();
        ((bool)((IJavaScriptExecutor)driver).ExecuteScript("return arguments[0].complete && arguments[0].naturalWidth > 0;", preview)!)
            .Should().BeTrue("the uploaded photo is shown");

        // Dropping a file on the zone classifies it too (a synthetic drop: WebDriver cannot drag from the desktop).
        var dropped = "coffee.webp";
        ((IJavaScriptExecutor)driver).ExecuteScript(
            """
            const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], arguments[1], { type: 'image/webp' }));
            document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            """,
            Convert.ToBase64String(File.ReadAllBytes(Fixtures.Image(dropped))), dropped);
        wait.Until(d => d.FindElement(By.Id("status")).Text.StartsWith($"{dropped}: ", StringComparison.Ordinal));
        driver.FindElements(By.CssSelector("#predictions .label")).Select(l => l.Text).Should().Equal(Fixtures.Expected(dropped).Select(p => p.Label));

        var screenshot = Environment.GetEnvironmentVariable("CONVMIXER_PAGE_SCREENSHOT");
        if (!string.IsNullOrEmpty(screenshot))
        {
            ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(screenshot);
        }
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_shows_the_servers_message()
    {
        using var server = await ServerProcess.StartAsync();
        using var profile = new TemporaryDirectory();
        using var driver = StartChromium(profile.Path);
        var text = profile.File("notes.png");
        File.WriteAllText(text, "not a picture");

        driver.Navigate().GoToUrl(server.Address);
        driver.FindElement(By.Id("image-input")).SendKeys(text);
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(30));
        wait.Until(d => d.FindElement(By.Id("status")).GetAttribute("class") == "error");

        driver.FindElement(By.Id("status")).Text.Should().Contain("Could not classify notes.png").And.Contain("cannot be read as an image");
        driver.FindElements(By.CssSelector("#predictions li")).Should().BeEmpty();
    }

    internal static ChromeDriver StartChromium(string profile)
    {
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}", "--window-size=1200,900");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        // A browser that does not start throws here, and the test fails with the reason.
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
