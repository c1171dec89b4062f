using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvMixerNet.Server.Tests;

/// <summary>
/// The server in memory with the golden model; settings, a <see cref="WorkerGate"/>, an <see cref="AnswerGate"/> and a
/// <see cref="LogRecorder"/> can be given per test.
/// </summary>
internal sealed class ServerFactory(
    IReadOnlyDictionary<string, string?>? settings = null, WorkerGate? gate = null, AnswerGate? answers = null, LogRecorder? log = null)
    : WebApplicationFactory<Program>
{
    public static readonly IReadOnlyDictionary<string, string?> GoldenModel = new Dictionary<string, string?>
    {
        ["ConvMixer:Weights"] = Fixtures.Weights,
        ["ConvMixer:InputSize"] = Fixtures.InputSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A client, once the model is loaded.</summary>
    public async Task<HttpClient> ReadyClientAsync()
    {
        var client = CreateClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await client.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The model did not load within 60 s.");
            }

            await Task.Delay(20);
        }

        return client;
    }

    /// <summary>Completes when the app's services are disposed (the app's own Run disposes them once the host has stopped).</summary>
    public Task ServicesDisposed => Services.GetRequiredService<DisposalProbe>().Disposed;

    /// <summary>The serving statistics of GET /v1/model.</summary>
    public static async Task<ServingDescription> ServingAsync(HttpClient client)
    {
        var model = await client.GetFromJsonAsync<ModelDescription>(new Uri("/v1/model", UriKind.Relative), Json.Options);
        return model!.Serving!;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, configuration) =>
        {
            var all = GoldenModel.ToDictionary();
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                all[key] = value;
            }

            configuration.AddInMemoryCollection(all);
        });
        if (log is not null)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(log));
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<DisposalProbe>();
            if (gate is not null)
            {
                services.AddSingleton<IClassificationModelLoader>(provider =>
                    new GatedModelLoader(new CheckpointModelLoader(provider.GetRequiredService<IOptions<ConvMixerServingOptions>>()), gate, answers));
            }
        });
    }
}
