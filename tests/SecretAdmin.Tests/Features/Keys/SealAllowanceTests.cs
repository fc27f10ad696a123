using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>Seals are counted per data key in the database before they are made, and a key at its limit rolls over to a new one.</summary>
public sealed class SealAllowanceTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Seal_PastTheLimit_RollsToNewKeysNoneCountsMoreThanItsLimitAndEveryValueOpens()
    {
        await using var services = TestServices.Build(_temp, sealing: o => (o.SealsPerDataKey, o.SealReservationBlock) = (5, 2));
        var sealer = services.GetRequiredService<SecretSealer>();
        var place = new SealedPlace("t", "c", "1");

        var envelopes = Enumerable.Range(0, 12).Select(n => sealer.Seal($"value-{n}", place)).ToArray();

        var keys = await services.GetRequiredService<DataKeyStore>().ReadAllAsync(CancellationToken.None);
        Assert.True(keys.Count >= 3, $"{keys.Count} data keys for 12 seals of at most 5 each");
        Assert.All(keys, k => Assert.InRange(k.Seals, 0, 5));
        Assert.True(keys.Sum(k => k.Seals) >= 12, $"{keys.Sum(k => k.Seals)} seals counted for 12 made");
        Assert.Equal(Enumerable.Range(1, keys.Count), keys.Select(k => k.Id));
        Assert.Equal(keys[^1].Id, sealer.KeyRing.Active.Id);
        Assert.Equal(Enumerable.Range(0, 12).Select(n => $"value-{n}"), envelopes.Select(e => Assert.IsType<SecretRead.PresentSecret>(sealer.Open(e, place)).Value));
    }

    [Fact]
    public async Task Seal_CountsBeforeSealing_TheDatabaseNeverHoldsFewerThanWereMade()
    {
        await using var services = TestServices.Build(_temp, sealing: o => o.SealReservationBlock = 10);
        var sealer = services.GetRequiredService<SecretSealer>();

        for (var n = 0; n < 25; n++)
        {
            sealer.Seal("value", new SealedPlace("t", "c", "1"));
            var counted = (await services.GetRequiredService<DataKeyStore>().ReadAllAsync(CancellationToken.None)).Single().Seals;
            Assert.True(counted >= n + 1, $"{counted} counted after {n + 1} seals");
        }
    }

    [Fact]
    public async Task Seal_ManyInARow_CountsInGrowingBlocksThatStayBounded()
    {
        const int Block = 10;
        const int Made = 1000;
        await using var services = TestServices.Build(_temp, sealing: o => o.SealReservationBlock = Block);
        var sealer = services.GetRequiredService<SecretSealer>();

        for (var n = 0; n < Made; n++)
        {
            sealer.Seal("value", new SealedPlace("t", "c", "1"));
        }

        // Blocks of 10, 20, 40 … 640 cover 1,000 seals with 270 to spare (more when the next block
        // arrived already); blocks that stayed at 10 would leave at most 20.
        var counted = (await services.GetRequiredService<DataKeyStore>().ReadAllAsync(CancellationToken.None)).Single().Seals;
        Assert.True(counted >= Made, $"{counted} counted for {Made} made");
        Assert.True(counted - Made >= 100, $"{counted} counted for {Made} made: the blocks did not grow");
        Assert.True(counted - Made <= 2 * Block * SealAllowance.MaxBlockFactor, $"{counted} counted for {Made} made: more than two of the largest blocks unused");
    }
}
