using Microsoft.Extensions.Options;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Support;

public static class TestSealing
{
    public static SecretSealer Sealer(KeyRing ring, bool allowLegacyPlaintext = false)
    {
        var sealer = new SecretSealer(Options.Create(new SealingOptions { AllowLegacyPlaintext = allowLegacyPlaintext }));
        sealer.Use(ring);
        return sealer;
    }

    public static KeyRing Ring(params int[] keyIds) => new(
        keyIds.Select(id => new SealingKey(id, DateTimeOffset.UnixEpoch, System.Security.Cryptography.RandomNumberGenerator.GetBytes(SealingKey.SizeInBytes))),
        activeKeyId: keyIds[^1]);
}
