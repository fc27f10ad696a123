using SecretAdmin.Security;

namespace SecretAdmin.Tests.Security;

public sealed class NonceSourceTests
{
    [Fact]
    public async Task Fill_AcrossManyDrawsAndThreads_NeverRepeatsANonce()
    {
        // 4 threads × 1,000 nonces: many refills of each thread's buffer (64 nonces per draw).
        var perThread = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var nonces = new List<string>();
            var nonce = new byte[Envelope.NonceSize];
            for (var i = 0; i < 1_000; i++)
            {
                NonceSource.Fill(nonce);
                nonces.Add(Convert.ToHexString(nonce));
            }

            return nonces;
        })));

        var all = perThread.SelectMany(n => n).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.DoesNotContain(new string('0', Envelope.NonceSize * 2), all);
    }

    [Fact]
    public void Fill_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => NonceSource.Fill(new byte[8]));
    }
}
