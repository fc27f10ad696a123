using System.Net;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Nodes;

/// <summary>
/// Signing in on two nodes that share one database: a session from one is a session on the other,
/// and every single-use or counted thing — a TOTP time step, a recovery code, a failed attempt —
/// is used or counted once for both, whichever node gets it.
/// </summary>
[Collection(TwoNodes.Collection)]
public sealed class SignInAcrossNodesTests : IAsyncLifetime
{
    private TwoNodes _nodes = default!;

    public async Task InitializeAsync() => _nodes = await TwoNodes.StartAsync();

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task Session_IssuedByNodeA_IsAcceptedByNodeB()
    {
        var cookies = new CookieContainer();
        using var onA = await TwoNodes.PastPasswordAsync(_nodes.A, cookies);
        using var signedIn = await TwoNodes.SubmitCodeAsync(onA, _nodes.Code());
        Assert.Equal("/account", TwoNodes.PathOf(signedIn));

        // Cookies are not kept apart by port: B is shown the cookies A set, as a browser behind a balancer would.
        using var onB = _nodes.B.Client(cookies);
        using var account = await onB.GetAsync("/account");
        using var anonymous = await _nodes.B.Client().GetAsync("/account");

        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Contains(TwoNodes.Email, await account.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
    }

    [Fact]
    public async Task TotpCode_SentToBothNodesAtTheSameInstant_SignsInExactlyOnce()
    {
        // The current step, then the next (the policy's window accepts one step either side).
        for (var round = 0; round < 2; round++)
        {
            using var onA = await TwoNodes.PastPasswordAsync(_nodes.A);
            using var onB = await TwoNodes.PastPasswordAsync(_nodes.B);
            var code = _nodes.Code(round);

            var answers = await Task.WhenAll(TwoNodes.SubmitCodeAsync(onA, code), TwoNodes.SubmitCodeAsync(onB, code));

            var paths = answers.Select(TwoNodes.PathOf).ToArray();
            Assert.True(paths.Count(p => p == "/account") == 1, $"round {round}: {string.Join(", ", paths)}");
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    [Fact]
    public async Task RecoveryCode_UsedOnNodeA_IsRefusedOnNodeB()
    {
        var code = _nodes.RecoveryCodes[0];
        using var onA = await TwoNodes.PastPasswordAsync(_nodes.A);
        using var used = await TwoNodes.SubmitRecoveryCodeAsync(onA, code);
        Assert.Equal("/account", TwoNodes.PathOf(used));

        using var onB = await TwoNodes.PastPasswordAsync(_nodes.B);
        using var again = await TwoNodes.SubmitRecoveryCodeAsync(onB, code);
        using var stillOnB = await onB.GetAsync("/account");

        Assert.NotEqual("/account", TwoNodes.PathOf(again));
        Assert.Equal(HttpStatusCode.Redirect, stillOnB.StatusCode);
    }

    [Fact]
    public async Task FailedAttempts_OnBothNodes_AddUpToThePolicysLimit()
    {
        const int MaxFailedAttempts = 5; // the policy's default
        for (var attempt = 1; attempt < MaxFailedAttempts; attempt++)
        {
            var node = attempt % 2 == 0 ? _nodes.B : _nodes.A;
            using var wrong = await WebSession.SignInAsync(node.Client(), TwoNodes.Email, "Wrong-Password-000");
            Assert.NotEqual("/account/lockout", TwoNodes.PathOf(wrong));
        }

        using var last = await WebSession.SignInAsync(_nodes.B.Client(), TwoNodes.Email, "Wrong-Password-000");
        using var rightOnA = await WebSession.SignInAsync(_nodes.A.Client(), TwoNodes.Email);
        using var rightOnB = await WebSession.SignInAsync(_nodes.B.Client(), TwoNodes.Email);

        Assert.Equal("/account/lockout", TwoNodes.PathOf(last));
        Assert.Equal("/account/lockout", TwoNodes.PathOf(rightOnA));
        Assert.Equal("/account/lockout", TwoNodes.PathOf(rightOnB));
    }

    [Fact]
    public async Task FailedAttempts_ForAnEmailWithoutAnAccount_AddUpAcrossNodesAsForAnAccount()
    {
        // Counted per node, an unknown email would take twice the failures a real account takes to
        // lock behind two nodes, and so tell which emails have accounts.
        const int MaxFailedAttempts = 5; // the policy's default
        const string Nobody = "nobody-here@example.test";
        for (var attempt = 1; attempt < MaxFailedAttempts; attempt++)
        {
            var node = attempt % 2 == 0 ? _nodes.B : _nodes.A;
            using var wrong = await WebSession.SignInAsync(node.Client(), Nobody, "Wrong-Password-000");
            Assert.NotEqual("/account/lockout", TwoNodes.PathOf(wrong));
        }

        using var last = await WebSession.SignInAsync(_nodes.B.Client(), Nobody, "Wrong-Password-000");
        using var againOnA = await WebSession.SignInAsync(_nodes.A.Client(), Nobody, "Wrong-Password-000");

        Assert.Equal("/account/lockout", TwoNodes.PathOf(last));
        Assert.Equal("/account/lockout", TwoNodes.PathOf(againOnA));
    }
}
