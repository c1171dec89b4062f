using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ConvMixerNet.Serving;

/// <summary>Healthy once the model is loaded, unhealthy while it loads and once the app stops (tagged <c>ready</c>).</summary>
internal sealed class ClassificationReadinessCheck(ClassificationQueue queue) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(queue.IsReady ? HealthCheckResult.Healthy("the model is loaded")
            : HealthCheckResult.Unhealthy(queue.IsStopping ? "the service is stopping" : "the model is still loading"));
}
