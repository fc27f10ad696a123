using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using SecretAdmin.Features.Account;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// The password step of many users over HTTP, as a browser does it: GET the sign-in form, POST it
/// (302 to the code form, with Identity's two-factor cookie), then GET the code form for its
/// antiforgery token. Cookies are kept by hand per user (a balancer's stickiness cookie among them);
/// redirects are not followed. Over https only <paramref name="trustedCertificate"/> is accepted.
/// </summary>
internal sealed partial class PasswordStep(Uri address, X509Certificate2? trustedCertificate = null) : IDisposable
{
    public const string ReturnUrl = AccountPaths.Account;

    /// <summary>Identity's cookie naming the user who passed the password step (<c>IdentityConstants.TwoFactorUserIdScheme</c>).</summary>
    public const string TwoFactorCookie = "Identity.TwoFactorUserId";

    public static readonly string CodeFormPath = $"{AccountPaths.LoginWithCode}?returnUrl={Uri.EscapeDataString(ReturnUrl)}";

    private static readonly string SignInFormPath = $"{AccountPaths.Login}?returnUrl={Uri.EscapeDataString(ReturnUrl)}";

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        MaxConnectionsPerServer = 64,
        SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && trustedCertificate is not null && presented.GetCertHashString() == trustedCertificate.Thumbprint },
    })
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>
    /// Takes users <paramref name="firstUser"/>, <paramref name="firstUser"/> + 1, … through the
    /// password step, <paramref name="parallel"/> at a time, until <paramref name="count"/> are done
    /// or <paramref name="deadline"/> has passed; a user started before the deadline is finished.
    /// </summary>
    /// <returns>The sessions of the users done, in user order, without gaps.</returns>
    public async Task<SignInSession[]> SignInAsync(int firstUser, int count, int parallel, DateTimeOffset deadline)
    {
        var sessions = new SignInSession[count];
        var taken = 0;
        async Task WorkAsync()
        {
            while (DateTimeOffset.UtcNow < deadline && Interlocked.Increment(ref taken) - 1 is var next && next < count)
            {
                sessions[next] = await SignInAsync(firstUser + next);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(WorkAsync)));
        return sessions.TakeWhile(s => s is not null).ToArray();
    }

    public async Task<SignInSession> SignInAsync(int user)
    {
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        var (signInPage, signInToken) = await GetFormAsync(SignInFormPath, cookies);
        if (!signInPage.Contains("name=\"Input.Password\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"GET {SignInFormPath} showed no sign-in form.");
        }

        using (var post = await PostAsync(SignInFormPath, cookies, new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = signInToken,
            ["Input.Email"] = SignInUserDatabase.EmailOf(user),
            ["Input.Password"] = SignInUserDatabase.Password,
        }))
        {
            if (post.StatusCode != HttpStatusCode.Redirect || PathOf(post.Headers.Location) != CodeFormPath)
            {
                throw new InvalidOperationException($"The password step of user {user} gave {(int)post.StatusCode} {post.Headers.Location}, not 302 to {CodeFormPath}.");
            }

            if (!cookies.ContainsKey(TwoFactorCookie))
            {
                throw new InvalidOperationException($"The password step of user {user} set no {TwoFactorCookie} cookie.");
            }
        }

        var signedInAt = DateTimeOffset.UtcNow;
        var (codePage, codeToken) = await GetFormAsync(CodeFormPath, cookies);
        if (!codePage.Contains("name=\"Input.Code\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"GET {CodeFormPath} after the password step of user {user} showed no code form.");
        }

        return new SignInSession(user, CookieHeader(cookies), codeToken, signedInAt);
    }

    /// <summary>Posts a code as the code form does; for the set-up checks before the load.</summary>
    public async Task<HttpResponseMessage> SubmitCodeAsync(SignInSession session, string code)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, CodeFormPath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login-code",
                ["__RequestVerificationToken"] = session.FormToken,
                ["Input.Code"] = code,
            }),
        };
        request.Headers.Add("Cookie", session.CookieHeader);
        return await _client.SendAsync(request);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The path and query of a redirect: the app's redirects after a form post are absolute.</summary>
    public static string? PathOf(Uri? location) =>
        location is null ? null : location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    private async Task<(string Html, string Token)> GetFormAsync(string path, Dictionary<string, string> cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        AddCookies(request, cookies);
        using var response = await _client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} gave {(int)response.StatusCode} {response.Headers.Location}.");
        }

        Keep(response, cookies);
        var html = await response.Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html);
        return token.Success
            ? (html, WebUtility.HtmlDecode(token.Groups["value"].Value))
            : throw new InvalidOperationException($"GET {path} has no antiforgery token.");
    }

    private async Task<HttpResponseMessage> PostAsync(string path, Dictionary<string, string> cookies, Dictionary<string, string> form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        AddCookies(request, cookies);
        var response = await _client.SendAsync(request);
        Keep(response, cookies);
        return response;
    }

    private static void AddCookies(HttpRequestMessage request, Dictionary<string, string> cookies)
    {
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", CookieHeader(cookies));
        }
    }

    private static string CookieHeader(Dictionary<string, string> cookies) =>
        string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));

    /// <summary>Applies the response's Set-Cookie headers: a cookie set to expire in the past is removed.</summary>
    private static void Keep(HttpResponseMessage response, Dictionary<string, string> cookies)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            return;
        }

        foreach (var setCookie in setCookies)
        {
            var pair = setCookie.Split(';', 2)[0];
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = (pair[..at].Trim(), pair[(at + 1)..].Trim());
            if (value.Length == 0 || setCookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            {
                cookies.Remove(name);
            }
            else
            {
                cookies[name] = value;
            }
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
