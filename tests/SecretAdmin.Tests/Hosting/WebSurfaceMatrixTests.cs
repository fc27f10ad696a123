using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using SecretAdmin.Access;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Sso;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Hosting;

/// <summary>
/// Every endpoint of the app, found in its endpoint data source (so a new route cannot be left
/// out), asked by an anonymous caller, a user and an administrator, in the Production environment:
/// every response carries the security headers, none is a 500, and a POST without an antiforgery
/// token is refused with 400 (or the policy's own answer for a caller it keeps out) and leaves the
/// session as it was.
/// </summary>
public sealed partial class WebSurfaceMatrixTests : IAsyncLifetime
{
    /// <summary>Values for route parameters, so each route can be requested.</summary>
    private static readonly Dictionary<string, string> ParameterValues = new()
    {
        ["Code"] = "404",
        // A test sign-in's report: an id no run has, which the page answers as unknown.
        ["Id"] = "0123456789abcdef0123456789abcdef",
    };

    private readonly TempDataDirectory _temp = new();
    private SecretAdminAppFactory _app = default!;

    public async Task InitializeAsync()
    {
        _app = new SecretAdminAppFactory(_temp, "Production");
        await WebSession.CreateUserAsync(_app, "user@example.test", admin: false);
        await WebSession.CreateUserAsync(_app, "admin@example.test", admin: true);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    // The build's static web assets (_content/, _framework/) are in the web root only once
    // published; an unpublished build in Production does not have them, so files of the top-level
    // wwwroot/ stand for static files here.
    [Fact]
    public async Task Get_EveryRouteForEveryCaller_CarriesTheSecurityHeadersAndIsNever500()
    {
        var failures = new List<string>();
        var paths = Routes().Where(r => Accepts(r, "GET")).Select(PathOf)
            .Concat(["/no/such/page", "/app.css", "/favicon.svg"])
            .Distinct()
            .ToArray();
        Assert.Contains(AccountPaths.Login, paths);

        foreach (var (caller, client) in await CallersAsync())
        {
            foreach (var path in paths)
            {
                foreach (var browser in new[] { true, false })
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, path);
                    if (browser)
                    {
                        request.Headers.Accept.ParseAdd("text/html");
                    }

                    using var response = await client.SendAsync(request);
                    Check(failures, $"{caller} GET {path}{(browser ? " (browser)" : "")}", response);
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Post_EveryPostEndpointWithoutAntiforgeryToken_Is400AndLeavesTheSessionAlone()
    {
        var failures = new List<string>();
        var posts = Routes().Where(r => Accepts(r, "POST")).ToArray();
        Assert.Contains(posts, r => PathOf(r) == AccountPaths.Logout && RequiresAntiforgery(r));
        Assert.Contains(posts, r => PathOf(r) == AccountPaths.Login && RequiresAntiforgery(r));
        Assert.Contains(posts, r => PathOf(r) == SsoDefaults.Start && RequiresAntiforgery(r));

        foreach (var (caller, client) in await CallersAsync())
        {
            foreach (var endpoint in posts)
            {
                var path = PathOf(endpoint);
                foreach (var token in new[] { null, "not-a-token" })
                {
                    var fields = new List<KeyValuePair<string, string>> { new("returnUrl", "/"), new("_handler", "x") };
                    if (token is not null)
                    {
                        fields.Add(new("__RequestVerificationToken", token));
                    }

                    using var response = await client.PostAsync(path, new FormUrlEncodedContent(fields));
                    var what = $"{caller} POST {path} ({(token is null ? "no token" : "wrong token")})";
                    Check(failures, what, response);
                    if (RequiresAntiforgery(endpoint) && !Refused(Policy(endpoint), caller, response))
                    {
                        failures.Add($"{what} gave {(int)response.StatusCode} {response.Headers.Location}, not 400");
                    }

                    if (caller != "anonymous")
                    {
                        using var home = await client.GetAsync("/");
                        if (home.StatusCode != HttpStatusCode.OK)
                        {
                            failures.Add($"{what}: afterwards GET / gave {(int)home.StatusCode} {home.Headers.Location}; the session changed");
                        }
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static void Check(List<string> failures, string what, HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.InternalServerError)
        {
            failures.Add($"{what} gave 500");
        }

        var csp = Header(response, "Content-Security-Policy");
        string[] directives =
        [
            "default-src 'self'", "style-src 'self' 'unsafe-inline'", "connect-src 'self'", "object-src 'none'",
            "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
        ];
        if (csp is null
            || directives.Any(d => !csp.Contains(d, StringComparison.Ordinal))
            || !ScriptSource().IsMatch(csp)
            || csp.Contains("unsafe-eval", StringComparison.Ordinal)
            || response.Headers.TryGetValues("Content-Security-Policy", out var policies) && policies.Count() != 1)
        {
            failures.Add($"{what}: Content-Security-Policy is \"{csp}\"");
        }

        Expect(failures, what, response, "X-Content-Type-Options", "nosniff");
        Expect(failures, what, response, "Referrer-Policy", "no-referrer");
        var permissions = Header(response, "Permissions-Policy") ?? "";
        foreach (var feature in new[] { "camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "publickey-credentials-get=(self)", "publickey-credentials-create=(self)" })
        {
            if (!permissions.Contains(feature, StringComparison.Ordinal))
            {
                failures.Add($"{what}: Permissions-Policy \"{permissions}\" lacks {feature}");
            }
        }

        // Plain http here: no HSTS, and no cookie marked Secure.
        if (Header(response, "Strict-Transport-Security") is { } hsts)
        {
            failures.Add($"{what}: Strict-Transport-Security \"{hsts}\" over http");
        }
    }

    private static void Expect(List<string> failures, string what, HttpResponseMessage response, string name, string value)
    {
        if (Header(response, name) != value)
        {
            failures.Add($"{what}: {name} is \"{Header(response, name)}\", not \"{value}\"");
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    /// <summary>A POST without a valid token: 400 for a caller the policy lets in, else the policy's own answer.</summary>
    private static bool Refused(string policy, string caller, HttpResponseMessage response) => (policy, caller) switch
    {
        ("anonymous", _) => response.StatusCode == HttpStatusCode.BadRequest,
        (_, "anonymous") => response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.AbsolutePath == AccountPaths.Login,
        (Policies.Admin, "user") => response.StatusCode == HttpStatusCode.Forbidden,
        _ => response.StatusCode == HttpStatusCode.BadRequest,
    };

    private async Task<(string Caller, HttpClient Client)[]> CallersAsync()
    {
        return [("anonymous", WebSession.Client(_app)), ("user", await SignInAsync("user@example.test")), ("admin", await SignInAsync("admin@example.test"))];
    }

    private async Task<HttpClient> SignInAsync(string email)
    {
        var client = WebSession.Client(_app);
        using var response = await WebSession.SignInAsync(client, email);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>The app's own routes: not static files, not the framework's (circuit hub, scripts).</summary>
    private IEnumerable<RouteEndpoint> Routes()
    {
        using var start = _app.CreateClient();
        return _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !IsStaticAsset(e) && !IsFramework(e))
            .ToArray();
    }

    private static string PathOf(RouteEndpoint endpoint) =>
        "/" + ParameterPattern().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), m => ParameterValues[m.Groups["name"].Value]);

    private static string Policy(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
            ? "anonymous"
            : endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault(p => p is not null) ?? Policies.SignedIn;

    // Endpoints that take no form (health) do not check antiforgery; they must still not fail or sign anyone out.
    private static bool RequiresAntiforgery(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Antiforgery.IAntiforgeryMetadata>() is { RequiresValidation: true };

    private static bool Accepts(RouteEndpoint endpoint, string method) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is not { } methods || methods.HttpMethods.Contains(method);

    private static bool IsStaticAsset(RouteEndpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().FullName?.Contains("StaticAsset", StringComparison.Ordinal) == true)
        || endpoint.RoutePattern.RawText?.Contains(":file}", StringComparison.Ordinal) == true;

    private static bool IsFramework(RouteEndpoint endpoint) =>
        endpoint.RoutePattern.RawText?.TrimStart('/') is { } raw && (raw.StartsWith("_blazor", StringComparison.Ordinal) || raw.StartsWith("_framework", StringComparison.Ordinal));

    [GeneratedRegex(@"\{(?<name>\w+)(:[^}]*)?\}")]
    private static partial Regex ParameterPattern();

    [GeneratedRegex(@"script-src 'self' 'nonce-[A-Za-z0-9+/]{22}=='(;|$)")]
    private static partial Regex ScriptSource();
}
