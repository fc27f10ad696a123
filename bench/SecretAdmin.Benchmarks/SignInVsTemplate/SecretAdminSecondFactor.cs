using System.Net;
using System.Text;
using SecretAdmin.Benchmarks.OpenLoop;
using SecretAdmin.Benchmarks.SignInLoad;

namespace SecretAdmin.Benchmarks.SignInVsTemplate;

/// <summary>
/// SecretAdmin's second factor as P3 sends it: <c>POST /account/login-code?returnUrl=%2Faccount</c>
/// with the user's cookies, the form's antiforgery token and a fresh code. A success is a 302 to
/// <c>/account</c>; the form again with "That code is not valid" a refusal.
/// </summary>
internal sealed class SecretAdminSecondFactor(IReadOnlyList<SignInSession> sessions, FreshCodes codes) : ILoadTarget
{
    public HttpRequestMessage? NextRequest()
    {
        if (codes.Next(DateTimeOffset.UtcNow) is not { } next)
        {
            return null;
        }

        var session = sessions[next.User];
        var request = new HttpRequestMessage(HttpMethod.Post, PasswordStep.CodeFormPath)
        {
            Content = new StringContent($"_handler=login-code&__RequestVerificationToken={Uri.EscapeDataString(session.FormToken)}&Input.Code={next.Code}", Encoding.ASCII, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("Cookie", session.CookieHeader);
        return request;
    }

    public async Task<Outcome> ClassifyAsync(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            return PasswordStep.PathOf(response.Headers.Location) == PasswordStep.ReturnUrl ? Outcome.Succeeded : Outcome.Failed;
        }

        return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).Contains("That code is not valid", StringComparison.Ordinal)
            ? Outcome.Refused
            : Outcome.Failed;
    }
}
