using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConvMixerNet.Serving;

/// <summary>Registers ConvMixer classification in an app's services.</summary>
public static class ServingServiceCollectionExtensions
{
    /// <summary>The name of the readiness health check.</summary>
    public const string HealthCheckName = "convmixer";

    /// <summary>The tag of the readiness health check.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Adds the batching queue and its hosted service (one model thread), the injectable
    /// <see cref="IImageClassificationService"/>, a health check tagged <c>ready</c>, the <see cref="ServingMetrics"/>
    /// meter (<see cref="ServingMetrics.MeterName"/>), and options bound from
    /// <paramref name="section"/> (e.g. <c>builder.Configuration.GetSection("ConvMixer")</c>), validated at start-up.
    /// </summary>
    public static IServiceCollection AddConvMixerClassification(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<ConvMixerServingOptions>().Bind(section);
        return services.AddCore();
    }

    /// <summary>As <see cref="AddConvMixerClassification(IServiceCollection, IConfiguration)"/>, with the options set in code.</summary>
    public static IServiceCollection AddConvMixerClassification(this IServiceCollection services, Action<ConvMixerServingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ConvMixerServingOptions>().Configure(configure);
        return services.AddCore();
    }

    private static IServiceCollection AddCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ConvMixerServingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConvMixerServingOptions>, ConvMixerServingOptionsValidator>());
        // An app or a test may bring its own loader (registered before or after this call: the last one wins).
        services.TryAddSingleton<IClassificationModelLoader, CheckpointModelLoader>();
        services.AddMetrics();
        services.TryAddSingleton<ServingMetrics>();
        services.TryAddSingleton<ClassificationQueue>();
        services.TryAddSingleton<ApiKeyStore>();
        services.AddHostedService(provider => provider.GetRequiredService<ClassificationQueue>());
        services.TryAddSingleton<IImageClassificationService, QueueClassificationService>();
        services.AddHealthChecks().AddCheck<ClassificationReadinessCheck>(HealthCheckName, tags: [ReadyTag]);
        return services;
    }
}
