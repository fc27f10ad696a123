using System.Net;
using SecretAdmin.Features.Health;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Sso;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Sso;

/// <summary>
/// The OIDC settings the sign-in handler is built from, which every request consults (the handler
/// looks at each path for its callback): read at start and taken up after each change, never read
/// on a request's way. A read there blocked the request's thread on the database, and many requests
/// at once starved the thread pool until it grew (about a minute on two cores).
/// </summary>
public sealed class OidcSettingsSnapshotTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();
    private readonly SecretAdminAppFactory _app;

    public OidcSettingsSnapshotTests()
    {
        _app = new SecretAdminAppFactory(_temp);
    }

    public void Dispose()
    {
        _app.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task FirstRequest_DatabaseGoneRightAfterStart_IsAnsweredFromTheSettingsReadAtStart()
    {
        using var client = _app.CreateClient();
        _temp.RemoveDatabase();

        using var response = await client.GetAsync(HealthExtensions.LivePath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Change_AnnouncedWhileTheDatabaseIsGone_KeepsTheLastSettingsAndRequestsGoOn()
    {
        using var client = _app.CreateClient();
        var before = await _app.Services.GetRequiredService<OidcSettingsSnapshot>().RefreshAsync();
        _temp.RemoveDatabase();

        _app.Services.GetRequiredService<SettingsChangeNotifier>().Announce(SettingsArea.Oidc);
        using var response = await client.GetAsync(HealthExtensions.LivePath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, _app.Services.GetRequiredService<OidcSettingsSnapshot>().Current);
    }
}
