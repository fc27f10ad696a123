using System.Net;
using System.Net.Sockets;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Tests.Support;
using SecretAdmin.Tests.Support.Peers;

namespace SecretAdmin.Tests.Features.Oidc;

/// <summary>Check discovery against a real OpenID Connect provider on 127.0.0.1 (tests/peers/oidc-provider.mjs) and against bad addresses.</summary>
public sealed class OidcDiscoveryCheckerTests : IAsyncLifetime
{
    private readonly TempDataDirectory _temp = new();
    private ServiceProvider _services = default!;
    private OidcDiscoveryChecker _checker = default!;

    public Task InitializeAsync()
    {
        _services = TestServices.Build(_temp);
        _checker = _services.GetRequiredService<OidcDiscoveryChecker>();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Check_RealProvider_IsValidAndListsItsEndpoints()
    {
        await using var provider = await OidcPeer.StartAsync("client-secret", ["http://127.0.0.1:1/signin-oidc"]);

        var result = await _checker.CheckAsync(provider.Issuer + "/");

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains($"Issuer: {provider.Issuer}", result.Details);
        Assert.Contains(result.Details, d => d.StartsWith("Token endpoint: ", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Details, d => d.StartsWith("Warning", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("keycloak", "client_secret_post")]
    [InlineData("entra", "client_secret_basic")]
    public async Task Check_ProviderShape_ShowsTheClientAuthenticationItWillUse(string shape, string expected)
    {
        await using var provider = await OidcPeer.StartAsync(
            "client-secret",
            ["http://127.0.0.1:1/signin-oidc"],
            shape: shape == "keycloak" ? OidcPeerShape.Keycloak("corp") : OidcPeerShape.Entra(Guid.Parse("8f2a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718")));

        var result = await _checker.CheckAsync(provider.Address);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains(result.Details, d => d.StartsWith($"Client authentication (automatic): {expected} (the provider lists ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_AuthorityThatIsNotTheIssuer_NamesTheIssuerToUse()
    {
        await using var provider = await OidcPeer.StartAsync("client-secret", ["http://127.0.0.1:1/signin-oidc"]);
        var localhost = provider.Issuer.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        var result = await _checker.CheckAsync(localhost);

        Assert.False(result.Succeeded);
        Assert.Equal($"The provider's issuer is {provider.Issuer}, but the authority is {localhost}. Set the authority to exactly {provider.Issuer}.", result.Message);
    }

    [Fact]
    public async Task Check_PathWithoutADiscoveryDocument_GivesTheHttpStatus()
    {
        await using var provider = await OidcPeer.StartAsync("client-secret", ["http://127.0.0.1:1/signin-oidc"]);

        var result = await _checker.CheckAsync(provider.Issuer + "/no-such-realm");

        Assert.False(result.Succeeded);
        Assert.Contains("answered HTTP 404", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_NothingListening_SaysItCouldNotConnect()
    {
        var result = await _checker.CheckAsync($"http://127.0.0.1:{FreePort()}");

        Assert.False(result.Succeeded);
        Assert.StartsWith("Could not connect to 127.0.0.1", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_UnknownHost_SaysDnsFoundNothing()
    {
        var result = await _checker.CheckAsync("https://login.no-such-host.invalid");

        Assert.False(result.Succeeded);
        Assert.Contains("could not be found (DNS)", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_HttpsToAPlainHttpServer_SaysTlsFailed()
    {
        await using var provider = await OidcPeer.StartAsync("client-secret", ["http://127.0.0.1:1/signin-oidc"]);

        var result = await _checker.CheckAsync(provider.Issuer.Replace("http://", "https://", StringComparison.Ordinal));

        Assert.False(result.Succeeded);
        Assert.StartsWith("A TLS connection to 127.0.0.1 could not be made", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Enter the authority URL first.")]
    [InlineData("http://login.example.test", "The authority must use https")]
    [InlineData("login.example.test", "absolute URL")]
    public async Task Check_InvalidAuthority_IsRefusedBeforeAnyRequest(string authority, string expected)
    {
        var result = await _checker.CheckAsync(authority);

        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_ServerAnsweringHtml_SaysItIsNotJson()
    {
        using var listener = new HttpListener();
        var port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serve = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            context.Response.ContentType = "text/html";
            await context.Response.OutputStream.WriteAsync("<html>login</html>"u8.ToArray());
            context.Response.Close();
        });

        var result = await _checker.CheckAsync($"http://127.0.0.1:{port}");
        await serve;

        Assert.False(result.Succeeded);
        Assert.Contains("did not return JSON", result.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
