using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>
/// Server-rendered forms over HTTP as a browser fills them: GET a form for its antiforgery token,
/// POST it back, the cookies of one browser kept by hand in a dictionary (the client keeps none and
/// follows no redirect, so many users can share it). Over https only <paramref name="trustedCertificate"/> is accepted.
/// </summary>
internal sealed partial class BrowserForms(Uri address, X509Certificate2? trustedCertificate = null) : IDisposable
{
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

    public HttpClient Client => _client;

    /// <summary>GETs a form that must answer 200; keeps its cookies; returns its HTML and its antiforgery token.</summary>
    public async Task<(string Html, string Token)> GetFormAsync(string path, Dictionary<string, string> cookies)
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

    /// <summary>POSTs a form with the browser's cookies, and keeps the cookies the answer sets.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, Dictionary<string, string> cookies, Dictionary<string, string> form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        AddCookies(request, cookies);
        var response = await _client.SendAsync(request);
        Keep(response, cookies);
        return response;
    }

    public void Dispose() => _client.Dispose();

    public static string CookieHeader(Dictionary<string, string> cookies) =>
        string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));

    private static void AddCookies(HttpRequestMessage request, Dictionary<string, string> cookies)
    {
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", CookieHeader(cookies));
        }
    }

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
