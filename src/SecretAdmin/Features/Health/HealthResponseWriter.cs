using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SecretAdmin.Features.Health;

/// <summary>Writes <c>{"status":"Healthy","checks":{"database":{"status":…,"description":…},…}}</c>: states only, never a secret.</summary>
internal static class HealthResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
