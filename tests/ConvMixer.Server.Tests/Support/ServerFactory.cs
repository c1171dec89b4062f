using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConvMixerNet.Server.Tests;

/// <summary>The server in memory with the golden model; settings and a <see cref="WorkerGate"/> can be given per test.</summary>
internal sealed class ServerFactory(IReadOnlyDictionary<string, string?>? settings = null, WorkerGate? gate = null) : WebApplicationFactory<Program>
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
        if (gate is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<IClassificationModelLoader>(provider =>
                new GatedModelLoader(new CheckpointModelLoader(provider.GetRequiredService<IOptions<ServerOptions>>()), gate)));
        }
    }
}
