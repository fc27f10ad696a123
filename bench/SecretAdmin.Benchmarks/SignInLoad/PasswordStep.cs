using System.Net;
using System.Security.Cryptography.X509Certificates;
using SecretAdmin.Features.Account;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// The password step of many users over HTTP, as a browser does it: GET the sign-in form, POST it
/// (302 to the code form, with Identity's two-factor cookie), then GET the code form for its
/// antiforgery token. Cookies are kept by hand per user (a balancer's stickiness cookie among them);
/// redirects are not followed. Over https only <paramref name="trustedCertificate"/> is accepted.
/// </summary>
internal sealed class PasswordStep(Uri address, X509Certificate2? trustedCertificate = null) : IDisposable
{
    public const string ReturnUrl = AccountPaths.Account;

    /// <summary>Identity's cookie naming the user who passed the password step (<c>IdentityConstants.TwoFactorUserIdScheme</c>).</summary>
    public const string TwoFactorCookie = "Identity.TwoFactorUserId";

    public static readonly string CodeFormPath = $"{AccountPaths.LoginWithCode}?returnUrl={Uri.EscapeDataString(ReturnUrl)}";

    private static readonly string SignInFormPath = $"{AccountPaths.Login}?returnUrl={Uri.EscapeDataString(ReturnUrl)}";

    private readonly BrowserForms _forms = new(address, trustedCertificate);

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
        var (signInPage, signInToken) = await _forms.GetFormAsync(SignInFormPath, cookies);
        if (!signInPage.Contains("name=\"Input.Password\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"GET {SignInFormPath} showed no sign-in form.");
        }

        using (var post = await _forms.PostAsync(SignInFormPath, cookies, new Dictionary<string, string>
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
        var (codePage, codeToken) = await _forms.GetFormAsync(CodeFormPath, cookies);
        if (!codePage.Contains("name=\"Input.Code\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"GET {CodeFormPath} after the password step of user {user} showed no code form.");
        }

        return new SignInSession(user, BrowserForms.CookieHeader(cookies), codeToken, signedInAt);
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
        return await _forms.Client.SendAsync(request);
    }

    public void Dispose() => _forms.Dispose();

    /// <summary>The path and query of a redirect: the app's redirects after a form post are absolute.</summary>
    public static string? PathOf(Uri? location) =>
        location is null ? null : location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
}
