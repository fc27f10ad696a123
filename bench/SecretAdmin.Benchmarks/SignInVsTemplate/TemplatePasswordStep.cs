using System.Net;
using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary>
/// The password step of the Identity template's users over HTTP, as a browser does it with its
/// static server-rendered <c>Login.razor</c>: GET <c>/Account/Login</c> (antiforgery cookie and
/// token), POST the <c>EditForm</c> named <c>login</c> (<c>_handler=login</c>, <c>Input.Email</c>,
/// <c>Input.Password</c>; "Remember me" unticked; no passkey) → 302 to <c>/Account/LoginWith2fa</c>
/// with Identity's <c>Identity.TwoFactorUserId</c> cookie, then GET that form for its token.
/// </summary>
internal sealed class TemplatePasswordStep(Uri address) : IDisposable
{
    public const string ReturnUrl = "/Account/Manage";

    /// <summary>The <c>FormName</c> of the code form's <c>EditForm</c> in <c>LoginWith2fa.razor</c>.</summary>
    public const string CodeFormName = "login-with-2fa";

    /// <summary>The message <c>LoginWith2fa.razor</c> shows for a wrong code.</summary>
    public const string RefusedText = "Error: Invalid authenticator code.";

    public const string LoginPath = "/Account/Login?ReturnUrl=%2FAccount%2FManage";

    private const string CodeFormPathPrefix = "/Account/LoginWith2fa?";

    private readonly BrowserForms _forms = new(address);
    private string? _codeFormPath;

    /// <summary>Where the password step redirects (the same for every user): the code form with the return URL and "remember me" in its query.</summary>
    public string CodeFormPath => _codeFormPath ?? throw new InvalidOperationException("No user has passed the password step yet.");

    public HttpClient Client => _forms.Client;

    /// <summary>Users <paramref name="firstUser"/>, +1, … through the password step, <paramref name="parallel"/> at a time.</summary>
    public async Task<SignInSession[]> SignInAsync(int firstUser, int count, int parallel)
    {
        var sessions = new SignInSession[count];
        var taken = 0;
        async Task WorkAsync()
        {
            while (Interlocked.Increment(ref taken) - 1 is var next && next < count)
            {
                sessions[next] = await SignInAsync(firstUser + next);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(WorkAsync)));
        return sessions;
    }

    public async Task<SignInSession> SignInAsync(int user)
    {
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        var (loginPage, loginToken) = await _forms.GetFormAsync(LoginPath, cookies);
        if (!loginPage.Contains("name=\"Input.Password\"", StringComparison.Ordinal) || !loginPage.Contains("name=\"_handler\" value=\"login\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"GET {LoginPath} showed no sign-in form named login.");
        }

        string codeFormPath;
        using (var post = await _forms.PostAsync(LoginPath, cookies, new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = loginToken,
            ["Input.Email"] = TemplateUserDatabase.EmailOf(user),
            ["Input.Password"] = TemplateUserDatabase.Password,
        }))
        {
            codeFormPath = PasswordStep.PathOf(post.Headers.Location) ?? "";
            if (post.StatusCode != HttpStatusCode.Redirect || !codeFormPath.StartsWith(CodeFormPathPrefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The template's password step of user {user} gave {(int)post.StatusCode} {post.Headers.Location}, not 302 to {CodeFormPathPrefix}….");
            }

            if (!cookies.ContainsKey(PasswordStep.TwoFactorCookie))
            {
                throw new InvalidOperationException($"The template's password step of user {user} set no {PasswordStep.TwoFactorCookie} cookie.");
            }
        }

        if (Interlocked.CompareExchange(ref _codeFormPath, codeFormPath, null) is { } known && known != codeFormPath)
        {
            throw new InvalidOperationException($"The template's password step redirected user {user} to {codeFormPath}, another user to {known}.");
        }

        var signedInAt = DateTimeOffset.UtcNow;
        var (codePage, codeToken) = await _forms.GetFormAsync(codeFormPath, cookies);
        if (!codePage.Contains("name=\"Input.TwoFactorCode\"", StringComparison.Ordinal) || !codePage.Contains($"name=\"_handler\" value=\"{CodeFormName}\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"GET {codeFormPath} after the password step of user {user} showed no code form named {CodeFormName}.");
        }

        return new SignInSession(user, BrowserForms.CookieHeader(cookies), codeToken, signedInAt);
    }

    public void Dispose() => _forms.Dispose();
}
