using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>
/// The seal limit per data key with two re-seals started at once through the executable: one runs
/// (the other is refused: re-seals run one at a time), each key stops at the limit, a new key follows,
/// and the ids stay contiguous.
/// </summary>
public sealed class SealLimitTests : IDisposable
{
    private const int Users = 120;
    private const int Limit = 50;
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["SecretAdmin__Sealing__SealsPerDataKey"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SecretAdmin__Sealing__SealReservationBlock"] = "7",
    };

    [Fact]
    public async Task Reseal_TwoProcessesAtOnce_OneRunsEveryKeyWithinTheLimitIdsContiguousAndEverythingOpens()
    {
        await KeyCustodyFolder.CreateEarlierVersionAsync(_temp, TestSealing.Ring(1), Users);
        var rotate = await AppProcess.RunAsync(_temp, ["keys", "rotate"], Environment);
        Assert.True(rotate.ExitCode == 0, rotate.Output + rotate.Error);

        // The one that runs re-seals every value not under the key active when it started: well over the limit.
        var reseals = await Task.WhenAll(
            AppProcess.RunAsync(_temp, ["keys", "reseal", "--batch", "10"], Environment),
            AppProcess.RunAsync(_temp, ["keys", "reseal", "--batch", "10"], Environment));
        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify", "--json"], Environment);
        var health = await AppProcess.RunAsync(_temp, ["health"], Environment);
        var keys = await KeyCustodyFolder.DataKeysAsync(_temp);

        var ran = Assert.Single(reseals, r => r.ExitCode == 0);
        Assert.Contains(reseals, r => r.ExitCode == 1 && r.Error.Contains("running on another node or process", StringComparison.Ordinal));
        var sealedByBoth = int.Parse(System.Text.RegularExpressions.Regex.Match(ran.Output, @"Re-sealed (\d+) of").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(sealedByBoth >= Users, $"the re-seal made {sealedByBoth} seals");
        Assert.True(keys.Count > 2, $"only data keys {string.Join(", ", keys.Select(k => k.Id))} exist after {sealedByBoth} seals with a limit of {Limit}");
        Assert.Equal(Enumerable.Range(1, keys.Count), keys.Select(k => k.Id));
        Assert.All(keys, k => Assert.True(k.Seals <= Limit, $"data key {k.Id} counts {k.Seals} seals, over the limit of {Limit}"));
        Assert.True(keys.Sum(k => k.Seals) >= sealedByBoth, $"{keys.Sum(k => k.Seals)} seals counted, fewer than the {sealedByBoth} made");
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Equal(Users + 1, KeyCustodyFolder.VerifyStates(verify.Output)["opens"]);
        Assert.True(health.ExitCode == 0, health.Output + health.Error);
        Assert.Contains($"active data key {keys[^1].Id},", health.Output, StringComparison.Ordinal);
    }
}
