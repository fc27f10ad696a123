using System.Net;
using System.Text.RegularExpressions;
using SecretAdmin.Features.Account;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Hosting;

/// <summary>
/// HSTS and Secure cookies over https — served directly, or behind a TLS-terminating proxy that
/// says so with X-Forwarded-Proto — and neither over plain http, nor when X-Forwarded-Proto comes
/// from an address that is not a configured proxy. The built executable, in Production.
/// </summary>
public sealed partial class TransportSecurityTests : IDisposable
{
    private const string AdminEmail = "admin@example.test";

    // HSTS is never sent to localhost or 127.0.0.1, so the requests name the host they would have.
    private const string PublicHost = "secretadmin.example.test";

    private readonly string _password = $"Transport-{Guid.NewGuid():N}";
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Https_Direct_SendsHstsAndSecureCookies()
    {
        await using var app = await StartAsync(https: true);

        var (login, session) = await SignInAsync(app, forwardedProto: null);

        Assert.Contains("max-age=31536000", Header(login, "Strict-Transport-Security"), StringComparison.Ordinal);
        AssertCookies(login, secure: true, ".AspNetCore.Antiforgery.");
        AssertCookies(session, secure: true, "SecretAdmin.Session");
    }

    [Fact]
    public async Task ForwardedProtoHttps_FromAConfiguredProxy_SendsHstsAndSecureCookies()
    {
        await using var app = await StartAsync(https: false, new() { ["ForwardedHeaders__KnownProxies__0"] = "127.0.0.1" });

        var (login, session) = await SignInAsync(app, forwardedProto: "https");

        Assert.Contains("max-age=31536000", Header(login, "Strict-Transport-Security"), StringComparison.Ordinal);
        AssertCookies(login, secure: true, ".AspNetCore.Antiforgery.");
        AssertCookies(session, secure: true, "SecretAdmin.Session");

        // The same app over plain http: neither.
        var (plainLogin, plainSession) = await SignInAsync(app, forwardedProto: null);
        Assert.Null(Header(plainLogin, "Strict-Transport-Security"));
        AssertCookies(plainLogin, secure: false, ".AspNetCore.Antiforgery.");
        AssertCookies(plainSession, secure: false, "SecretAdmin.Session");
    }

    [Fact]
    public async Task ForwardedProtoHttps_FromAnAddressNotConfigured_IsIgnored()
    {
        await using var app = await StartAsync(https: false, new() { ["ForwardedHeaders__KnownProxies__0"] = "10.9.9.9" });

        var (login, session) = await SignInAsync(app, forwardedProto: "https");

        Assert.Null(Header(login, "Strict-Transport-Security"));
        AssertCookies(login, secure: false, ".AspNetCore.Antiforgery.");
        AssertCookies(session, secure: false, "SecretAdmin.Session");
    }

    [Fact]
    public async Task Start_KnownProxyNotAnAddress_IsRefusedWithTheSetting()
    {
        var result = await AppProcess.RunWebAppAsync(_temp, new Dictionary<string, string> { ["ForwardedHeaders__KnownProxies__0"] = "proxy.internal" });

        Assert.Equal(AppProcess.RefusedExitCode, result.ExitCode);
        Assert.Contains("ForwardedHeaders:KnownProxies", result.Error, StringComparison.Ordinal);
        Assert.Contains("proxy.internal", result.Error, StringComparison.Ordinal);
    }

    private async Task<WebAppProcess> StartAsync(bool https, Dictionary<string, string>? environment = null)
    {
        await WebAppProcess.CreateAdminAsync(_temp, AdminEmail, _password);
        return await WebAppProcess.StartAsync(_temp, environment, https);
    }

    /// <summary>
    /// Opens the sign-in page and signs in, handling cookies by hand: a cookie marked Secure on a
    /// forwarded https request would not be sent back over the test's plain http.
    /// </summary>
    private async Task<(HttpResponseMessage Login, HttpResponseMessage SignIn)> SignInAsync(WebAppProcess app, string? forwardedProto)
    {
        using var client = new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        })
        { BaseAddress = app.BaseAddress };

        using var page = Request(HttpMethod.Get, AccountPaths.Login, forwardedProto);
        var login = await client.SendAsync(page);
        Assert.True(login.StatusCode == HttpStatusCode.OK, $"GET {AccountPaths.Login} gave {(int)login.StatusCode}. Log:\n{app.Log}");
        var html = await login.Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(AntiforgeryField().Match(html).Groups["value"].Value);

        using var post = Request(HttpMethod.Post, AccountPaths.Login, forwardedProto);
        post.Headers.Add("Cookie", string.Join("; ", SetCookies(login).Select(c => c.Split(';')[0])));
        post.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "login",
            ["Input.Email"] = AdminEmail,
            ["Input.Password"] = _password,
        });
        var signIn = await client.SendAsync(post);
        Assert.True(signIn.StatusCode == HttpStatusCode.Redirect, $"sign-in gave {(int)signIn.StatusCode}: {await signIn.Content.ReadAsStringAsync()}\nLog:\n{app.Log}");
        return (login, signIn);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? forwardedProto)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Host = PublicHost;
        request.Headers.Accept.ParseAdd("text/html");
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        }

        return request;
    }

    private static void AssertCookies(HttpResponseMessage response, bool secure, string namePrefix)
    {
        var cookies = SetCookies(response).Where(c => c.StartsWith(namePrefix, StringComparison.Ordinal)).ToArray();
        Assert.True(cookies.Length > 0, $"no {namePrefix} cookie among: {string.Join(" | ", SetCookies(response))}");
        Assert.All(cookies, c => Assert.True(
            c.Split(';').Any(a => a.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase)) == secure,
            $"{(secure ? "not" : "but")} Secure: {c.Split('=')[0]}; {string.Join(";", c.Split(';').Skip(1))}"));
    }

    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
