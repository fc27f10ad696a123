using System.Net;
using SecretAdmin.Features.Sso;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// Single sign-on as a browser does it, between the real app (in process) and a real OpenID
/// Connect provider on 127.0.0.1: the app's redirects are followed by hand between the two.
/// </summary>
public static class SsoBrowserFlow
{
    /// <summary>The app's origin as the provider sees it in the registered redirect URIs.</summary>
    public const string AppOrigin = "http://localhost";

    /// <summary>Starts single sign-on from the sign-in page's form, signs in at the provider as <paramref name="login"/>, and hands its answer back to the app.</summary>
    public static async Task<(HttpClient App, HttpResponseMessage Last)> SignInAsync(SecretAdminAppFactory appFactory, OidcPeer provider, string login, string returnUrl = "/account")
    {
        var app = WebSession.Client(appFactory);
        var start = await StartAsync(app, returnUrl);
        Assert.True(start.StatusCode == HttpStatusCode.Redirect, $"start gave {(int)start.StatusCode} {start.Headers.Location}");
        Assert.StartsWith(provider.Origin, start.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var browser = OidcPeer.CreateBrowser();
        using var answer = await provider.SignInAsync(browser, start.Headers.Location, login);
        var callback = answer.Headers.Location!;
        Assert.StartsWith($"{AppOrigin}/signin-oidc?", callback.ToString(), StringComparison.Ordinal);

        var response = await app.GetAsync(callback.PathAndQuery);
        for (var hop = 0; hop < 3 && response.StatusCode == HttpStatusCode.Redirect && Location(response).StartsWith(SsoDefaults.Complete, StringComparison.Ordinal); hop++)
        {
            var next = Location(response);
            response.Dispose();
            response = await app.GetAsync(next);
        }

        return (app, response);
    }

    /// <summary>
    /// Starts a test sign-in from the OIDC settings page's form as <paramref name="admin"/>, signs in
    /// at the provider as <paramref name="login"/> and hands its answer back to the app; returns
    /// the app's last answer (the redirect to the report).
    /// </summary>
    public static async Task<HttpResponseMessage> TestSignInAsync(HttpClient admin, OidcPeer provider, string login)
    {
        var start = await FormPost.SubmitAsync(admin, "/settings/oidc", null, new Dictionary<string, string>(), action: SsoDefaults.TestStart);
        Assert.True(start.StatusCode == HttpStatusCode.Redirect, $"the test start gave {(int)start.StatusCode} {start.Headers.Location}");
        if (!start.Headers.Location!.ToString().StartsWith(provider.Origin, StringComparison.Ordinal))
        {
            return start;
        }

        using var browser = OidcPeer.CreateBrowser();
        using var answer = await provider.SignInAsync(browser, start.Headers.Location, login);
        var callback = answer.Headers.Location!;
        Assert.StartsWith($"{AppOrigin}/signin-oidc?", callback.ToString(), StringComparison.Ordinal);
        return await admin.GetAsync(callback.PathAndQuery);
    }

    /// <summary>Posts the sign-in page's single sign-on form (with its antiforgery token).</summary>
    public static Task<HttpResponseMessage> StartAsync(HttpClient app, string returnUrl) =>
        FormPost.SubmitAsync(app, $"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}", null, new Dictionary<string, string> { ["returnUrl"] = returnUrl }, action: SsoDefaults.Start);

    /// <summary>Where a redirect points: a path for the app's own pages, the whole address elsewhere.</summary>
    public static string Location(HttpResponseMessage response) =>
        response.Headers.Location is { } location ? (location.IsAbsoluteUri && location.Host == "localhost" ? location.PathAndQuery : location.OriginalString) : "";
}
