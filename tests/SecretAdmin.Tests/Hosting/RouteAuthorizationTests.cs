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
/// Every route of the app, found in its endpoint data source, against an anonymous caller, a
/// user and an administrator. A route added without a policy fails here.
/// </summary>
public sealed partial class RouteAuthorizationTests : IAsyncLifetime
{
    /// <summary>Values for route parameters, so each route can be requested.</summary>
    private static readonly Dictionary<string, string> ParameterValues = new()
    {
        ["Code"] = "404",
        ["Id"] = "0123456789abcdef0123456789abcdef",
    };

    private readonly TempDataDirectory _temp = new();
    private SecretAdminAppFactory _app = default!;

    public async Task InitializeAsync()
    {
        _app = new SecretAdminAppFactory(_temp);
        await WebSession.CreateUserAsync(_app, "user@example.test", admin: false);
        await WebSession.CreateUserAsync(_app, "admin@example.test", admin: true);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Routes_Every_DeclaresAPolicyOrAllowsAnonymous()
    {
        var undeclared = AppRoutes()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any())
            .Select(e => e.RoutePattern.RawText)
            .ToArray();

        Assert.True(undeclared.Length == 0, $"These routes declare no authorization: {string.Join(", ", undeclared)}");
    }

    [Fact]
    public void Routes_StaticAssets_AreAnonymous()
    {
        var assets = Endpoints().Where(e => IsStaticAsset(e) && e.RoutePattern.RawText?.Contains(":file}", StringComparison.Ordinal) != true).ToArray();

        Assert.NotEmpty(assets);
        Assert.All(assets, e => Assert.NotNull(e.Metadata.GetMetadata<IAllowAnonymous>()));
    }

    [Fact]
    public async Task Routes_Every_AnswersEachCallerAsItsPolicySays()
    {
        var anonymous = WebSession.Client(_app);
        var user = await SignInAsync("user@example.test");
        var admin = await SignInAsync("admin@example.test");
        var failures = new List<string>();

        foreach (var endpoint in AppRoutes().Where(AcceptsGet))
        {
            var path = "/" + ParameterPattern().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), m => ParameterValues[m.Groups["name"].Value]);
            var policy = Policy(endpoint);
            foreach (var (caller, client) in new[] { ("anonymous", anonymous), ("user", user), ("admin", admin) })
            {
                using var response = await client.GetAsync(path);
                var expected = Expected(policy, caller, path);
                if (!expected(response))
                {
                    failures.Add($"{caller} GET {path} ({policy}) gave {(int)response.StatusCode} {response.Headers.Location}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task SignOut_Anonymous_IsRefused()
    {
        using var response = await WebSession.Client(_app).PostAsync(AccountPaths.Logout, new FormUrlEncodedContent([]));

        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.BadRequest, $"anonymous sign-out gave {response.StatusCode}");
    }

    private static Func<HttpResponseMessage, bool> Expected(string policy, string caller, string path) => (policy, caller) switch
    {
        // Documented exceptions: health is 200 or 503; the status page answers with the status it shows.
        (_, _) when path == "/healthz" => r => r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
        (_, _) when path.StartsWith("/status/", StringComparison.Ordinal) => r => (int)r.StatusCode == int.Parse(path[8..], System.Globalization.CultureInfo.InvariantCulture),
        // The end of single sign-on, reached without a provider's answer, explains that on the error page.
        (_, _) when path == SsoDefaults.Complete => r => r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location?.OriginalString == SsoErrors.PathFor(SsoErrorKind.Expired),
        ("anonymous", _) => r => r.StatusCode == HttpStatusCode.OK,
        (_, "anonymous") => r => r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location?.AbsolutePath == AccountPaths.Login,
        (Policies.Admin, "user") => r => r.StatusCode == HttpStatusCode.Forbidden,
        _ => r => r.StatusCode == HttpStatusCode.OK,
    };

    private static string Policy(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
            ? "anonymous"
            : endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault(p => p is not null) ?? Policies.SignedIn;

    private async Task<HttpClient> SignInAsync(string email)
    {
        var client = WebSession.Client(_app);
        using var response = await WebSession.SignInAsync(client, email);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private IEnumerable<RouteEndpoint> Endpoints()
    {
        using var start = _app.CreateClient();
        return _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
    }

    /// <summary>The app's own routes: not static files, not the framework's (circuit hub, scripts).</summary>
    private IEnumerable<RouteEndpoint> AppRoutes() =>
        Endpoints().Where(e => !IsStaticAsset(e) && !IsFramework(e));

    // Static web assets, and in Development their fallback route for files on disk ({**path:file}).
    private static bool IsStaticAsset(RouteEndpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().FullName?.Contains("StaticAsset", StringComparison.Ordinal) == true)
        || endpoint.RoutePattern.RawText?.Contains(":file}", StringComparison.Ordinal) == true;

    private static bool IsFramework(RouteEndpoint endpoint) =>
        endpoint.RoutePattern.RawText is { } raw && (raw.StartsWith("_blazor", StringComparison.Ordinal) || raw.StartsWith("/_blazor", StringComparison.Ordinal) || raw.StartsWith("_framework", StringComparison.Ordinal) || raw.StartsWith("/_framework", StringComparison.Ordinal));

    private static bool AcceptsGet(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>() is not { } methods || methods.HttpMethods.Contains("GET");

    [GeneratedRegex(@"\{(?<name>\w+)(:[^}]*)?\}")]
    private static partial Regex ParameterPattern();
}
