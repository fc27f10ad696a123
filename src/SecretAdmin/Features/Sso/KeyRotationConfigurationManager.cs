using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace SecretAdmin.Features.Sso;

/// <summary>
/// The provider's discovery document and signing keys for the OpenID Connect handler, read again
/// before the next use when a refresh is requested. When an ID token names a key that the keys held
/// do not contain (the provider rotated its key), the token handler requests a refresh, reads the
/// configuration once more and validates the token again if it got a new one. IdentityModel's own
/// <see cref="ConfigurationManager{T}"/> only starts that refresh in the background and answers with
/// the old keys, so the sign-in that first met the new key failed; here the read waits for it.
/// A refresh is granted at most once per <see cref="BaseConfigurationManager.RefreshInterval"/> (the
/// first at any time), so a token whose key stays unknown fails without each sign-in reading the keys
/// again. If the provider cannot be read, the keys held are kept.
/// </summary>
internal sealed class KeyRotationConfigurationManager : BaseConfigurationManager, IConfigurationManager<OpenIdConnectConfiguration>
{
    private readonly IDocumentRetriever _documentRetriever;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _requestGate = new();
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private volatile ConfigurationManager<OpenIdConnectConfiguration> _current;
    private volatile bool _refreshRequested;
    private DateTimeOffset? _lastRefreshGranted;

    public KeyRotationConfigurationManager(
        string metadataAddress,
        IDocumentRetriever documentRetriever,
        TimeSpan refreshInterval,
        TimeSpan automaticRefreshInterval,
        TimeProvider timeProvider,
        ILogger logger)
    {
        MetadataAddress = metadataAddress;
        RefreshInterval = refreshInterval;
        AutomaticRefreshInterval = automaticRefreshInterval;
        _documentRetriever = documentRetriever;
        _timeProvider = timeProvider;
        _logger = logger;
        _current = NewConfigurationManager();
    }

    /// <summary>
    /// Replaces the configuration manager the handler's own post-configuration built (on its
    /// backchannel, for its metadata address and intervals) with this one.
    /// </summary>
    public static void Use(OpenIdConnectOptions options, TimeProvider timeProvider, ILogger<KeyRotationConfigurationManager> logger)
    {
        if (options.ConfigurationManager is ConfigurationManager<OpenIdConnectConfiguration> && options.MetadataAddress is { } metadataAddress)
        {
            options.ConfigurationManager = new KeyRotationConfigurationManager(
                metadataAddress,
                new HttpDocumentRetriever(options.Backchannel) { RequireHttps = options.RequireHttpsMetadata },
                options.RefreshInterval,
                options.AutomaticRefreshInterval,
                timeProvider,
                logger);
        }
    }

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (_refreshRequested)
        {
            await RefreshAsync(cancel);
        }

        return await _current.GetConfigurationAsync(cancel);
    }

    public override async Task<BaseConfiguration> GetBaseConfigurationAsync(CancellationToken cancel) =>
        await GetConfigurationAsync(cancel);

    /// <summary>Asks that the next read fetch the configuration again, unless a refresh was granted less than <see cref="BaseConfigurationManager.RefreshInterval"/> ago.</summary>
    public override void RequestRefresh()
    {
        lock (_requestGate)
        {
            var now = _timeProvider.GetUtcNow();
            if (_lastRefreshGranted is { } last && now < last + RefreshInterval)
            {
                return;
            }

            _lastRefreshGranted = now;
            _refreshRequested = true;
        }
    }

    private async Task RefreshAsync(CancellationToken cancel)
    {
        await _refreshGate.WaitAsync(cancel);
        try
        {
            if (!_refreshRequested)
            {
                return; // another caller refreshed while this one waited
            }

            _logger.LogInformation("Single sign-on is reading the provider's configuration and signing keys again");
            var fresh = NewConfigurationManager();
            try
            {
                // A new manager's first read fetches and waits for the answer. Not cancelled with one
                // caller's request: every caller waiting here uses what it fetches.
                await fresh.GetConfigurationAsync(CancellationToken.None);
                _current = fresh;
            }
            catch (InvalidOperationException e)
            {
                _logger.LogWarning("Single sign-on kept the provider's signing keys it had: reading them again failed ({Exception})", e.InnerException?.GetType().Name ?? e.GetType().Name);
            }

            _refreshRequested = false;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private ConfigurationManager<OpenIdConnectConfiguration> NewConfigurationManager() =>
        new(MetadataAddress, new OpenIdConnectConfigurationRetriever(), _documentRetriever)
        {
            RefreshInterval = RefreshInterval,
            AutomaticRefreshInterval = AutomaticRefreshInterval,
        };
}
