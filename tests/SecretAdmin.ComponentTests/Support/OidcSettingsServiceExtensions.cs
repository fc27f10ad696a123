using SecretAdmin.Features.Oidc;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Support;

public static class OidcSettingsServiceExtensions
{
    /// <summary>The client secret opened for the provider and client id stored now, as the sign-in handler opens it.</summary>
    public static async Task<SecretRead> OpenStoredClientSecretAsync(this OidcSettingsService oidc)
    {
        var view = await oidc.GetAsync();
        return await oidc.OpenClientSecretAsync(view.Authority ?? string.Empty, view.ClientId ?? string.Empty);
    }
}
