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
/// <remarks>
/// The handler builds its options synchronously, on the way of any request (it looks at each path
/// for its callback), so they are built only from values already read: the web app reads them
/// before it serves (<see cref="OidcSettingsWarmUp"/>), and a change is read before the options are
/// dropped. A request that had to wait for the database there would hold its thread, and many at
/// once would starve the thread pool.
/// </remarks>
public sealed class OidcSettingsSnapshot : IDisposable
{
    private readonly OidcSettingsService _settings;
    private readonly IOptionsMonitorCache<OpenIdConnectOptions> _optionsCache;
    private readonly SettingsChangeNotifier _notifier;
    private readonly ILogger<OidcSettingsSnapshot> _logger;
    private volatile OidcSettingsView? _current;

    public OidcSettingsSnapshot(OidcSettingsService settings, IOptionsMonitorCache<OpenIdConnectOptions> optionsCache, SettingsChangeNotifier notifier, ILogger<OidcSettingsSnapshot> logger)
    {
        _settings = settings;
        _optionsCache = optionsCache;
        _notifier = notifier;
        _logger = logger;
        _notifier.Changed += OnChanged;
    }

    /// <summary>
    /// The settings as last read. Only a caller before the first read (not the web app, which reads
    /// them before it serves) waits for the database here, off any synchronization context.
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
        catch (Exception e)
        {
            // Unreadable now: the handler goes on with the values it has, and the next read (the sign-in
            // page, the start of a single sign-on, the health check) takes the change up.
            _logger.LogWarning("The OIDC settings could not be read after a change ({Exception}); the last ones read stay until the next read", e.GetType().Name);
        }
    }
}
