using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using SecretAdmin.Features.Health;

namespace SecretAdmin.Hosting;

internal static class HealthHostingExtensions
{
    public const string Path = "/healthz";

    public static IHostApplicationBuilder AddSecretAdminHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<KeyRingHealthCheck>("key-ring");
        return builder;
    }

    /// <summary><c>/healthz</c>: 200 when healthy, 503 when not; open to anonymous callers (load balancers, orchestrators).</summary>
    public static WebApplication MapSecretAdminHealth(this WebApplication app)
    {
        app.MapHealthChecks(Path, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync })
            .AllowAnonymous()
            .DisableHttpMetrics();
        return app;
    }
}
