using System.Diagnostics;
using System.Net;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Nodes;

/// <summary>
/// Settings saved through one node (or the command line beside it) apply on every other node
/// within a second — also where a node keeps what it built from them, such as the OpenID Connect
/// handler's options, and reads nothing again by itself.
/// </summary>
[Collection(TwoNodes.Collection)]
public sealed class SettingsAcrossNodesTests : IAsyncLifetime
{
    private const string MovedCallback = "/signin-moved";
    private TwoNodes _nodes = default!;

    public async Task InitializeAsync() => _nodes = await TwoNodes.StartAsync();

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task OidcCallbackPath_SavedBesideNodeA_IsServedByNodeBsHandlerWithinASecond()
    {
        using var onB = _nodes.B.Client();
        // B builds its handler options now, from the settings as they are (callback /signin-oidc):
        // the moved path is an ordinary page, which sends an anonymous browser to sign in.
        Assert.False(await HandledByOidcAsync(onB, MovedCallback));

        var save = await AppProcess.RunAsync(_nodes.Temp, ["settings", "oidc", "set", "--callback-path", MovedCallback]);
        Assert.True(save.ExitCode == 0, save.Output + save.Error);
        var clock = Stopwatch.StartNew();

        // When the first request that found the new path handled was sent: a loaded machine may be slow to answer it.
        var handled = false;
        var sentAt = TimeSpan.Zero;
        while (!handled && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            sentAt = clock.Elapsed;
            handled = await HandledByOidcAsync(onB, MovedCallback);
            await Task.Delay(handled ? 0 : 50);
        }

        Assert.True(handled, $"node B's handler did not take up the new callback path within 5 s. B's log:\n{_nodes.B.Log}");
        Assert.True(sentAt < TimeSpan.FromSeconds(1), $"node B's handler took up the new callback path {sentAt.TotalMilliseconds:F0} ms after the save. B's log:\n{_nodes.B.Log}");
        Assert.False(await HandledByOidcAsync(onB, "/signin-oidc"));
    }

    /// <summary>
    /// Whether the OpenID Connect handler answers <paramref name="path"/> as its callback: a callback
    /// without state, which it turns into the single sign-on error page.
    /// </summary>
    private static async Task<bool> HandledByOidcAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = TwoNodes.PathOf(response)!;
        Assert.True(location.StartsWith("/account/login", StringComparison.Ordinal) || location.StartsWith(SecretAdmin.Features.Sso.SsoDefaults.Error, StringComparison.Ordinal), location);
        return location.StartsWith(SecretAdmin.Features.Sso.SsoDefaults.Error, StringComparison.Ordinal);
    }
}
