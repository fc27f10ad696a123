using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace SecretAdmin.Features.Health;

public static class HealthExtensions
{
    public const string Path = "/healthz";

    public const string LivePath = "/healthz/live";

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<KeyRingHealthCheck>("key-ring");
        return builder;
    }

    /// <summary>
    /// <c>/healthz</c>: 200 when healthy, 503 when not; <c>/healthz/live</c>: 200 while the process
    /// serves requests, running no check (an orchestrator's liveness probe, which should not restart
    /// the app for a database or key-ring problem). Both open to anonymous callers.
    /// </summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks(Path, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync })
            .AllowAnonymous()
            .DisableHttpMetrics();
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync })
            .AllowAnonymous()
            .DisableHttpMetrics();
        return app;
    }
}
