using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Sso;

/// <summary>
/// The stored OIDC settings the sign-in handler runs with. The sign-in page, the start of each
/// single sign-on and the health check read them again (<see cref="RefreshAsync"/>: one row, and
/// the secret opened to know it still opens), so a save by another instance or the command line,
/// or a secret that stopped opening, shows at once. A save in this process is announced and
/// applies at once too. When the values changed, the handler's options are rebuilt, which also
/// fetches the provider's discovery document again.
/// </summary>
public sealed class OidcSettingsSnapshot : IDisposable
{
    private readonly OidcSettingsService _settings;
    private readonly IOptionsMonitorCache<OpenIdConnectOptions> _optionsCache;
    private readonly SettingsChangeNotifier _notifier;
    private volatile OidcSettingsView? _current;

    public OidcSettingsSnapshot(OidcSettingsService settings, IOptionsMonitorCache<OpenIdConnectOptions> optionsCache, SettingsChangeNotifier notifier)
    {
        _settings = settings;
        _optionsCache = optionsCache;
        _notifier = notifier;
        _notifier.Changed += OnChanged;
    }

    /// <summary>
    /// The settings as last read. The handler builds its options synchronously, so the first read
    /// after start or a save waits for the database here (off any synchronization context).
    /// </summary>
    public OidcSettingsView Current => _current ?? Task.Run(() => RefreshAsync()).GetAwaiter().GetResult();

    public SsoAvailability Availability => SsoAvailability.Of(Current);

    public async Task<OidcSettingsView> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var view = await _settings.GetAsync(cancellationToken);
        var previous = _current;
        _current = view;
        if (previous is null || previous.Version != view.Version)
        {
            _optionsCache.TryRemove(SsoDefaults.Scheme);
        }

        return view;
    }

    public void Dispose() => _notifier.Changed -= OnChanged;

    private void OnChanged(SettingsArea area)
    {
        if (area == SettingsArea.Oidc)
        {
            _ = TakeUpAsync();
        }
    }

    /// <summary>
    /// An announcement is a hint, and may come more than once for one save (this node's own, then
    /// the poll that sees it): the row is read again, and the handler's options are rebuilt only
    /// when its version moved — a rebuild also forgets the provider's signing keys read so far.
    /// </summary>
    private async Task TakeUpAsync()
    {
        try
        {
            await RefreshAsync();
        }
        catch (Exception)
        {
            // Unreadable now: the next reader loads the saved values, and the options are rebuilt from them.
            _current = null;
            _optionsCache.TryRemove(SsoDefaults.Scheme);
        }
    }
}
