using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MudBlazor;

namespace SecretAdmin.Components.Pages;

public partial class Home
{
    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["database"] = "Database",
        ["key-ring"] = "Keys",
        ["sso"] = "Single sign-on",
    };

    private static readonly Dictionary<string, string> EntryIcons = new(StringComparer.Ordinal)
    {
        ["database"] = Icons.Material.Outlined.Storage,
        ["key-ring"] = Icons.Material.Outlined.Key,
        ["sso"] = Icons.Material.Outlined.Login,
    };

    private HealthReport? _report;
    private bool _checking;
    private bool _failed;

    [Inject]
    private HealthCheckService HealthChecks { get; set; } = default!;

    [Inject]
    private ILogger<Home> Logger { get; set; } = default!;

    protected override Task OnInitializedAsync() => CheckAsync();

    private async Task CheckAsync()
    {
        _checking = true;
        _failed = false;
        try
        {
            _report = await HealthChecks.CheckHealthAsync();
        }
        catch (Exception exception)
        {
            // The page says only that the check failed; what went wrong is for the server log.
            Logger.LogError(exception, "The system status could not be checked");
            _report = null;
            _failed = true;
        }
        finally
        {
            _checking = false;
        }
    }

    internal static string TitleFor(string name) => Titles.GetValueOrDefault(name, name);

    internal static Color ColorFor(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => Color.Success,
        HealthStatus.Degraded => Color.Warning,
        _ => Color.Error,
    };

    /// <summary>
    /// The entry's description, unless it is only the message of an exception the check threw
    /// (which is what the health check service reports then): such text may name files or hosts.
    /// </summary>
    internal static string DescribeEntry(HealthReportEntry entry)
    {
        if (entry.Exception is not null
            && (string.IsNullOrWhiteSpace(entry.Description) || entry.Description == entry.Exception.Message))
        {
            return "The check failed. The server log has the details.";
        }

        return string.IsNullOrWhiteSpace(entry.Description) ? "No details reported." : entry.Description;
    }

    private static string IconFor(string name) =>
        EntryIcons.GetValueOrDefault(name, Icons.Material.Outlined.MonitorHeart);
}
