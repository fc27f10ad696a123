using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Sso;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// Single sign-on tests against real OpenID Connect peers of any <see cref="OidcPeerShape"/> that
/// know the app (its redirect addresses) and <see cref="ClientSecret"/>: one app on a fresh data
/// folder per test, and the providers a test starts, stopped afterwards.
/// </summary>
public abstract class SsoProviderTest : IAsyncLifetime
{
    private readonly TempDataDirectory _temp = new();
    private readonly List<OidcPeer> _peers = [];

    protected abstract string ClientSecret { get; }

    protected SecretAdminAppFactory App { get; private set; } = default!;

    public virtual Task InitializeAsync()
    {
        App = new SecretAdminAppFactory(_temp);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        App.Dispose();
        foreach (var peer in _peers)
        {
            await peer.DisposeAsync();
        }

        _temp.Dispose();
    }

    protected async Task<OidcPeer> StartProviderAsync(OidcPeerShape shape, Dictionary<string, IReadOnlyDictionary<string, object?>>? claims = null)
    {
        var peer = await OidcPeer.StartAsync(ClientSecret, [$"{SsoBrowserFlow.AppOrigin}/signin-oidc"], [$"{SsoBrowserFlow.AppOrigin}{SsoDefaults.SignedOutCallbackPath}"], claims, shape);
        _peers.Add(peer);
        return peer;
    }

    /// <summary>Saves settings for <paramref name="provider"/> with <see cref="ClientSecret"/>, new users created, switched on or off, then <paramref name="change"/>.</summary>
    protected async Task SaveSettingsAsync(OidcPeer provider, bool enabled, Action<OidcSettingsForm> change)
    {
        var service = App.Services.GetRequiredService<OidcSettingsService>();
        var view = await service.GetAsync();
        var form = OidcSettingsForm.From(view);
        form.Enabled = enabled;
        form.ButtonLabel = "Company sign-in";
        form.Authority = provider.Address;
        form.ClientId = OidcPeer.ClientId;
        form.NewClientSecret = ClientSecret;
        form.CreateUnknownUsers = true;
        change(form);
        var saved = await service.SaveAsync(AuditActor.Cli, form, view.Version);
        Assert.True(saved.Succeeded, saved.Message);
    }

    protected async Task<List<AuditEntry>> AuditAsync(string action) =>
        [.. (await App.Services.GetRequiredService<AuditLog>().SearchAsync(new(Action: action))).Items];
}
