using System.Net;
using System.Text;
using SecretAdmin.Benchmarks.OpenLoop;
using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary>
/// The Identity template's second factor as its form posts it: <c>POST /Account/LoginWith2fa?…</c>
/// with the user's cookies and the fields of its <c>EditForm</c> (<c>_handler=login-with-2fa</c>, the
/// antiforgery token, the hidden <c>ReturnUrl</c> and <c>RememberMe</c>, the code; "Remember this
/// machine" left unticked). A success is a 302 to the return URL; the form again with "Invalid
/// authenticator code" a refusal.
/// </summary>
internal sealed class TemplateSecondFactor(string codeFormPath, IReadOnlyList<SignInSession> sessions, FreshCodes codes) : ILoadTarget
{
    public HttpRequestMessage? NextRequest()
    {
        if (codes.Next(DateTimeOffset.UtcNow) is not { } next)
        {
            return null;
        }

        var session = sessions[next.User];
        return Build(codeFormPath, session, next.Code);
    }

    public static HttpRequestMessage Build(string codeFormPath, SignInSession session, string code)
    {
        var body = $"_handler={TemplatePasswordStep.CodeFormName}&__RequestVerificationToken={Uri.EscapeDataString(session.FormToken)}" +
            $"&ReturnUrl={Uri.EscapeDataString(TemplatePasswordStep.ReturnUrl)}&RememberMe=False&Input.TwoFactorCode={code}";
        var request = new HttpRequestMessage(HttpMethod.Post, codeFormPath)
        {
            Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("Cookie", session.CookieHeader);
        return request;
    }

    public async Task<Outcome> ClassifyAsync(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            return PasswordStep.PathOf(response.Headers.Location) == TemplatePasswordStep.ReturnUrl ? Outcome.Succeeded : Outcome.Failed;
        }

        return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).Contains(TemplatePasswordStep.RefusedText, StringComparison.Ordinal)
            ? Outcome.Refused
            : Outcome.Failed;
    }
}
