using System.Net;
using System.Text.Json;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Health;

public sealed class HealthEndpointTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();
    private readonly SecretAdminAppFactory _app;

    public HealthEndpointTests()
    {
        _app = new SecretAdminAppFactory(_temp);
    }

    public void Dispose()
    {
        _app.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Get_Healthy_Returns200WithEachCheck()
    {
        var (status, body) = await GetHealthAsync();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("key-ring").GetProperty("status").GetString());
        Assert.Contains("active data key 1", body.GetProperty("checks").GetProperty("key-ring").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_AfterARotation_CountsDataKeysInWords()
    {
        await GetHealthAsync();
        await _app.Services.GetRequiredService<SecretAdmin.Features.Keys.KeyCustody>().RotateAsync(SecretAdmin.Features.Audit.AuditActor.Cli);

        var (_, body) = await GetHealthAsync();

        Assert.EndsWith("from the master key file; active data key 2, 2 data keys", body.GetProperty("checks").GetProperty("key-ring").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_MasterKeyFileRemovedWhileRunning_Returns503()
    {
        await GetHealthAsync();
        File.Delete(_temp.Data.MasterKeyFile);

        var (status, body) = await GetHealthAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("key-ring").GetProperty("status").GetString());
        Assert.Contains("missing", body.GetProperty("checks").GetProperty("key-ring").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_DatabaseRemovedWhileRunning_Returns503()
    {
        await GetHealthAsync();
        _temp.RemoveDatabase();

        var (status, body) = await GetHealthAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("key-ring").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Get_Always_HoldsNoKeyMaterialOrPaths()
    {
        await GetHealthAsync();
        var material = (await File.ReadAllTextAsync(_temp.Data.MasterKeyFile)).Trim();

        var text = await _app.CreateClient().GetStringAsync("/healthz");

        Assert.DoesNotContain(material, text, StringComparison.Ordinal);
        Assert.DoesNotContain(_temp.Path, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetLive_MasterKeyFileRemovedWhileRunning_Returns200WithoutChecks()
    {
        await GetHealthAsync();
        File.Delete(_temp.Data.MasterKeyFile);

        var (health, _) = await GetHealthAsync();
        var (status, body) = await GetHealthAsync("/healthz/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("checks").EnumerateObject());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetHealthAsync(string path = "/healthz")
    {
        using var response = await _app.CreateClient().GetAsync(path);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, body);
    }
}
