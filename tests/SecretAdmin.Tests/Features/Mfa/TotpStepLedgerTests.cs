using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Tests.Features.Mfa;

public sealed class TotpStepLedgerTests : IAsyncLifetime
{
    private readonly TempDataDirectory _temp = new();
    private ServiceProvider _services = default!;
    private string _userId = "";

    public async Task InitializeAsync()
    {
        _services = TestServices.Build(_temp);
        var users = _services.GetRequiredService<UserAdminService>();
        Assert.True((await users.CreateAsync(AuditActor.Cli, "ada@example.test", "Correct-Horse-42!", isAdmin: false)).Succeeded);
        _userId = (await users.SearchAsync(new("ada"))).Items.Single().Id;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task TryAccept_SameStepTwice_AcceptsOnlyTheFirst()
    {
        var ledger = _services.GetRequiredService<TotpStepLedger>();

        Assert.True(await ledger.TryAcceptAsync(_userId, 1000));
        Assert.False(await ledger.TryAcceptAsync(_userId, 1000));
    }

    [Fact]
    public async Task TryAccept_EarlierStepAfterALaterOne_IsRefused()
    {
        var ledger = _services.GetRequiredService<TotpStepLedger>();
        await ledger.TryAcceptAsync(_userId, 1001);

        Assert.False(await ledger.TryAcceptAsync(_userId, 1000));
        Assert.True(await ledger.TryAcceptAsync(_userId, 1002));
    }

    [Fact]
    public async Task TryAccept_TwentyRacingRequestsWithOneStep_AcceptsExactlyOne()
    {
        var ledger = _services.GetRequiredService<TotpStepLedger>();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => ledger.TryAcceptAsync(_userId, 5000))));

        Assert.Single(results, accepted => accepted);
    }

    [Fact]
    public async Task TryAccept_TwoProcessesSharingTheDatabase_AcceptExactlyOne()
    {
        using var other = TestServices.Build(_temp);
        var here = _services.GetRequiredService<TotpStepLedger>();
        var there = other.GetRequiredService<TotpStepLedger>();

        var results = await Task.WhenAll(Task.Run(() => here.TryAcceptAsync(_userId, 7000)), Task.Run(() => there.TryAcceptAsync(_userId, 7000)));

        Assert.Single(results, accepted => accepted);
    }

    [Fact]
    public async Task TryAccept_UnknownUser_AcceptsNothing()
    {
        Assert.False(await _services.GetRequiredService<TotpStepLedger>().TryAcceptAsync("no-such-user", 1));
    }
}
