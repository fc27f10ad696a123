using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace SecretAdmin.Features.Sso;

/// <summary>Whether signing out should also end the session at the provider: a single sign-on session, and a provider that offers an end-session endpoint.</summary>
public sealed class SsoSignOut(OidcSettingsSnapshot snapshot, IOptionsMonitor<OpenIdConnectOptions> options, ILogger<SsoSignOut> logger)
{
    public async Task<bool> ShouldSignOutAtProviderAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        // Identity marks a session that came from an external provider with this claim (the password step uses "amr").
        if (!user.HasClaim(c => c.Type == ClaimTypes.AuthenticationMethod) || !snapshot.Availability.Ready)
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
