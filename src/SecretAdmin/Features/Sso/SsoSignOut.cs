using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Account;

namespace SecretAdmin.Features.Sso;

/// <summary>Whether signing out should also end the session at the provider: a single sign-on session, and a provider that offers an end-session endpoint.</summary>
public sealed class SsoSignOut(OidcSettingsSnapshot snapshot, IOptionsMonitor<OpenIdConnectOptions> options, ILogger<SsoSignOut> logger)
{
    public async Task<bool> ShouldSignOutAtProviderAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!SecretAdminClaims.IsSingleSignOnSession(user) || !snapshot.Availability.Ready)
        {
            return false;
        }

        try
        {
            var manager = options.Get(SsoDefaults.Scheme).ConfigurationManager;
            return manager is not null && !string.IsNullOrEmpty((await manager.GetConfigurationAsync(cancellationToken)).EndSessionEndpoint);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or TaskCanceledException)
        {
            logger.LogWarning("Signed out here only: the provider's configuration could not be read ({Exception})", e.GetType().Name);
            return false;
        }
    }
}
