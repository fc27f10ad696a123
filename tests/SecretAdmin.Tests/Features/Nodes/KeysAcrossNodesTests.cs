using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Users;
using SecretAdmin.Hosting;
using SecretAdmin.Security;
using SecretAdmin.Tests.Features.Keys;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Nodes;

/// <summary>
/// A data key rotation made beside one node reaches the others at once: a value sealed with the new
/// key opens on a node that has not re-read its keys yet, and the other node seals with the new key
/// within a second — so no node seals with a key another node cannot open, nor goes on sealing with
/// the key the operator rotated away from.
/// </summary>
[Collection(TwoNodes.Collection)]
public sealed class KeysAcrossNodesTests : IAsyncLifetime
{
    private TwoNodes _nodes = default!;

    public async Task InitializeAsync() => _nodes = await TwoNodes.StartAsync();

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task ValueSealedWithANewKey_OpensAtOnceOnTheOtherNode()
    {
        var rotate = await AppProcess.RunAsync(_nodes.Temp, ["keys", "rotate"]);
        Assert.True(rotate.ExitCode == 0, rotate.Output + rotate.Error);

        // Sealed as the rotating node seals now, with the new key: the authenticator secret.
        await SealTotpSecretWithKeyAsync(2);
        using var onB = await TwoNodes.PastPasswordAsync(_nodes.B);
        using var signedIn = await TwoNodes.SubmitCodeAsync(onB, _nodes.Code());

        Assert.True(TwoNodes.PathOf(signedIn) == "/account", $"{(int)signedIn.StatusCode} {TwoNodes.PathOf(signedIn)}; B's log:\n{_nodes.B.Log}");
    }

    [Fact]
    public async Task Rotation_BesideNodeA_MakesNodeBSealWithTheNewKeyWithinASecond()
    {
        using var onB = _nodes.B.Client();
        Assert.Contains("active data key 1,", await onB.GetStringAsync("/healthz"), StringComparison.Ordinal);

        var rotate = await AppProcess.RunAsync(_nodes.Temp, ["keys", "rotate"]);
        Assert.True(rotate.ExitCode == 0, rotate.Output + rotate.Error);
        var clock = Stopwatch.StartNew();

        // /healthz names the key this node seals with (and reads no key itself).
        // When the first request that found the new key was sent: a loaded machine may be slow to answer it.
        var health = "";
        var sentAt = TimeSpan.Zero;
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            sentAt = clock.Elapsed;
            health = await onB.GetStringAsync("/healthz");
            if (health.Contains("active data key 2,", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Contains("active data key 2,", health, StringComparison.Ordinal);
        Assert.True(sentAt < TimeSpan.FromSeconds(1), $"node B took up the rotation {sentAt.TotalMilliseconds:F0} ms after it. B's log:\n{_nodes.B.Log}");
    }

    /// <summary>Seals the user's authenticator secret again with data key <paramref name="keyId"/>, unwrapped here with the master key file.</summary>
    private async Task SealTotpSecretWithKeyAsync(int keyId)
    {
        var rows = await KeyCustodyFolder.DataKeysAsync(_nodes.Temp);
        using var master = KeyCustodyFolder.MasterKeyIn(_nodes.Temp.Data.MasterKeyFile);
        var keys = rows.Select(r => new SealingKey(r.Id, DateTimeOffset.UnixEpoch, master.Unwrap(r.Wrapped, DataKeyStore.AssociatedData(r.Id))!)).ToList();
        using var sealer = TestSealing.Sealer(new KeyRing(keys, keyId));

        var services = new ServiceCollection();
        services.AddSingleton(_nodes.Temp.Data);
        services.AddSecretAdminDatabase();
        _nodes.Temp.ConfigureDatabase(services);
        await using var provider = services.BuildServiceProvider();
        await using var db = await provider.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Email == TwoNodes.Email);
        var column = SealedColumn.For<SecretAdminUser>(db.Model, nameof(SecretAdminUser.TotpSecret));
        var secret = sealer.Open(user.TotpSecret.Envelope, column.At(user.Id));
        var plaintext = Assert.IsType<SecretRead.PresentSecret>(secret);
        user.TotpSecret.Envelope = sealer.Seal(plaintext.Value, column.At(user.Id));
        Assert.StartsWith($"sa1:{keyId}:", user.TotpSecret.Envelope, StringComparison.Ordinal);
        await db.SaveChangesAsync();
    }
}
