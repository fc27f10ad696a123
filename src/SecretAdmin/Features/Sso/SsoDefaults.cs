namespace SecretAdmin.Features.Sso;

public static class SsoDefaults
{
    /// <summary>The OpenID Connect handler's authentication scheme.</summary>
    public const string Scheme = "oidc";

    /// <summary>Where the handler comes back after the provider's sign-out (registered at the provider as a post-logout redirect URI).</summary>
    public const string SignedOutCallbackPath = "/signout-callback-oidc";

    /// <summary>POST: starts single sign-on (a challenge), or fails closed when it is not available.</summary>
    public const string Start = "/account/sso";

    /// <summary>GET: after the provider, links or creates the local user and signs them in.</summary>
    public const string Complete = "/account/sso-complete";

    /// <summary>A clear page for every way single sign-on can fail.</summary>
    public const string Error = "/account/sso-error";

    /// <summary>POST (administrators): a test sign-in against the saved settings that signs nobody in.</summary>
    public const string TestStart = "/settings/oidc/test-sign-in";

    /// <summary>GET: a test sign-in's report, under its run id.</summary>
    public const string TestResult = "/settings/oidc/test-sign-in";
}
