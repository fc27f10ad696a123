using System.Net;

namespace SecretAdmin.Tests.Support;

/// <summary>A signed-in session's cookie taken from one app instance and shown to another, as a browser would after a restart.</summary>
public static class SessionCookies
{
    public const string Name = "SecretAdmin.Session";

    /// <summary>Creates a user on <paramref name="app"/>, signs in and returns the session cookie (<c>name=value</c>).</summary>
    public static async Task<string> SignInAsync(SecretAdminAppFactory app, string email)
    {
        await WebSession.CreateUserAsync(app, email, admin: true);
        using var signIn = await WebSession.SignInAsync(WebSession.Client(app), email);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith($"{Name}=", StringComparison.Ordinal)).Split(';')[0];
    }

    /// <summary>Whether <paramref name="app"/> takes <paramref name="cookie"/> for a signed-in session: the home page answers instead of sending to sign-in.</summary>
    public static async Task<bool> IsAcceptedAsync(SecretAdminAppFactory app, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie);
        using var response = await WebSession.Client(app).SendAsync(request);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return true;
        }

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/login", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        return false;
    }
}
