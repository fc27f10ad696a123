using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>
/// <c>keys rotate-master</c> through the executable, from the master key file and from the
/// environment, and the start that follows a rotation stopped half-way.
/// </summary>
public sealed class MasterKeyRotationTests : IDisposable
{
    private const int Users = 6;
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string NextFile => _temp.Data.MasterKeyFile + ".next";

    private Task ConvertedAsync(AesMasterKey? master = null) => KeyCustodyFolder.CreateConvertedAsync(_temp, TestSealing.Ring(1, 2), Users, master);

    private async Task AssertEveryValueOpensAsync(IDictionary<string, string>? environment = null)
    {
        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify", "--json"], environment);
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Equal(Users + 1, KeyCustodyFolder.VerifyStates(verify.Output)["opens"]);
    }

    [Fact]
    public async Task RotateMaster_FromFile_ReplacesTheFileAndTheOldKeyOpensNothing()
    {
        await ConvertedAsync();
        using var old = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile);

        var rotate = await AppProcess.RunAsync(_temp, ["keys", "rotate-master"]);

        Assert.True(rotate.ExitCode == 0, rotate.Output + rotate.Error);
        using var current = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile);
        Assert.NotEqual(old.Id, current.Id);
        Assert.Contains($"Master key {current.Id} wraps", rotate.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(NextFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_temp.Data.MasterKeyFile));
        var keys = await KeyCustodyFolder.DataKeysAsync(_temp);
        Assert.Equal([1, 2], keys.Select(k => k.Id));
        Assert.All(keys, k =>
        {
            Assert.Equal(current.Id, k.MasterKeyId);
            Assert.Null(old.Unwrap(k.Wrapped, DataKeyStore.AssociatedData(k.Id)));
            Assert.NotNull(current.Unwrap(k.Wrapped, DataKeyStore.AssociatedData(k.Id)));
        });
        await AssertEveryValueOpensAsync();
    }

    [Fact]
    public async Task Start_RotationCommittedButNotRenamed_FinishesTheRename()
    {
        await ConvertedAsync();
        using var old = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile);
        Assert.True(new MasterKeyFile(NextFile).TryCreate());
        using var next = KeyCustodyFolder.MasterKeyIn(NextFile);
        await RewrapAsync(old, next);

        var list = await AppProcess.RunAsync(_temp, ["keys", "list"]);

        Assert.True(list.ExitCode == 0, list.Output + list.Error);
        Assert.Contains($"master key {next.Id}", list.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(NextFile));
        using var current = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile);
        Assert.Equal(next.Id, current.Id);
        await AssertEveryValueOpensAsync();
    }

    [Fact]
    public async Task Start_NextKeyOfAnUncommittedRotation_IsDeleted()
    {
        await ConvertedAsync();
        using var old = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile);
        Assert.True(new MasterKeyFile(NextFile).TryCreate());

        var list = await AppProcess.RunAsync(_temp, ["keys", "list"]);

        Assert.True(list.ExitCode == 0, list.Output + list.Error);
        Assert.False(File.Exists(NextFile), "master.key.next of a rotation that did not commit is still there");
        using var current = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile);
        Assert.Equal(old.Id, current.Id);
        await AssertEveryValueOpensAsync();
    }

    [Fact]
    public async Task RotateMaster_FromEnvironment_NeedsNextValueAndTheNewValueAloneOpensAfterwards()
    {
        var oldValue = Convert.ToBase64String(RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes));
        var newValue = Convert.ToBase64String(RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes));
        var withOld = new Dictionary<string, string> { [MasterKeyOptions.ValueVariable] = oldValue };
        using (var master = new AesMasterKey(Convert.FromBase64String(oldValue), "aes", MasterKeyOptions.ValueVariable))
        {
            await ConvertedAsync(master);
        }
        var before = await KeyCustodyFolder.DataKeysAsync(_temp);

        var withoutNext = await AppProcess.RunAsync(_temp, ["keys", "rotate-master"], withOld);
        var unchanged = await KeyCustodyFolder.DataKeysAsync(_temp);
        var rotate = await AppProcess.RunAsync(_temp, ["keys", "rotate-master"], new Dictionary<string, string>(withOld) { [MasterKeyOptions.NextValueVariable] = newValue });
        var after = await KeyCustodyFolder.DataKeysAsync(_temp);
        var withNew = new Dictionary<string, string> { [MasterKeyOptions.ValueVariable] = newValue };
        var startOld = await AppProcess.RunAsync(_temp, ["keys", "list"], withOld);

        Assert.Equal(1, withoutNext.ExitCode);
        Assert.Contains("Nothing was changed", withoutNext.Error, StringComparison.Ordinal);
        Assert.Contains(MasterKeyOptions.NextValueVariable, withoutNext.Error, StringComparison.Ordinal);
        Assert.Equal(before.Select(k => k.MasterKeyId), unchanged.Select(k => k.MasterKeyId));
        Assert.True(rotate.ExitCode == 0, rotate.Output + rotate.Error);
        Assert.All(after, k => Assert.NotEqual(before[0].MasterKeyId, k.MasterKeyId));
        Assert.Single(after.Select(k => k.MasterKeyId).Distinct());
        Assert.Equal(AppProcess.RefusedExitCode, startOld.ExitCode);
        Assert.Contains(MasterKeyOptions.ValueVariable, startOld.Error, StringComparison.Ordinal);
        Assert.Contains(after[0].MasterKeyId, startOld.Error, StringComparison.Ordinal);
        foreach (var text in new[] { withoutNext.Error, rotate.Output, rotate.Error, startOld.Error })
        {
            Assert.DoesNotContain(oldValue, text, StringComparison.Ordinal);
            Assert.DoesNotContain(newValue, text, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(_temp.Data.MasterKeyFile), "a master key file was made though the key comes from the environment");

        // The next start with the new value works, and every value opens under it.
        await AssertEveryValueOpensAsync(withNew);
    }

    [Fact]
    public async Task RotateMaster_OtherProcessesStartBeforeItsCommit_LeaveItsNextKeyAndRefuseASecondRotation()
    {
        await ConvertedAsync();
        using var current = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile);

        // A rotation in this process, stopped between preparing its next key and its commit.
        var rotating = new MasterKeySource(Options.Create(new MasterKeyOptions()), _temp.Data, new Pkcs11MasterKeys());
        using var next = rotating.PrepareNext();
        var list = await AppProcess.RunAsync(_temp, ["keys", "list"]);
        var second = await AppProcess.RunAsync(_temp, ["keys", "rotate-master"]);

        Assert.True(list.ExitCode == 0, list.Output + list.Error);
        Assert.True(File.Exists(NextFile), "a process that started during a rotation deleted the rotation's next master key");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("Nothing was changed", second.Error, StringComparison.Ordinal);
        Assert.Contains(NextFile, second.Error, StringComparison.Ordinal);
        Assert.All(await KeyCustodyFolder.DataKeysAsync(_temp), k => Assert.Equal(current.Id, k.MasterKeyId));

        // The rotation goes on: its commit, then its next key in the file's place.
        await RewrapAsync(current, next);
        rotating.Complete(current, next);

        using var after = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile);
        Assert.Equal(next.Id, after.Id);
        await AssertEveryValueOpensAsync();
    }

    /// <summary>What a rotation's commit leaves: every data key wrapped by <paramref name="to"/>.</summary>
    private async Task RewrapAsync(IMasterKey from, IMasterKey to)
    {
        foreach (var key in await KeyCustodyFolder.DataKeysAsync(_temp))
        {
            var material = from.Unwrap(key.Wrapped, DataKeyStore.AssociatedData(key.Id))!;
            await KeyCustodyFolder.ExecuteAsync(
                _temp,
                "UPDATE \"DataKeys\" SET \"Wrapped\" = @w, \"MasterKeyId\" = @m WHERE \"Id\" = @id",
                ("@w", to.Wrap(material, DataKeyStore.AssociatedData(key.Id))),
                ("@m", to.Id),
                ("@id", key.Id));
        }
    }
}
