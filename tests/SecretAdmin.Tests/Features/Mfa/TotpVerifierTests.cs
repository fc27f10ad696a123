using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Tests.Features.Mfa;

public sealed class TotpVerifierTests
{
    private static readonly byte[] Sha1Seed = Encoding.ASCII.GetBytes("12345678901234567890");
    private static readonly byte[] Sha256Seed = Encoding.ASCII.GetBytes("12345678901234567890123456789012");
    private static readonly byte[] Sha512Seed = Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890123456789012345678901234");

    /// <summary>RFC 6238, Appendix B: 8 digits, 30-second steps.</summary>
    [Theory]
    [InlineData(59L, "94287082", TotpAlgorithm.Sha1)]
    [InlineData(59L, "46119246", TotpAlgorithm.Sha256)]
    [InlineData(59L, "90693936", TotpAlgorithm.Sha512)]
    [InlineData(1111111109L, "07081804", TotpAlgorithm.Sha1)]
    [InlineData(1111111109L, "68084774", TotpAlgorithm.Sha256)]
    [InlineData(1111111109L, "25091201", TotpAlgorithm.Sha512)]
    [InlineData(1111111111L, "14050471", TotpAlgorithm.Sha1)]
    [InlineData(1111111111L, "67062674", TotpAlgorithm.Sha256)]
    [InlineData(1111111111L, "99943326", TotpAlgorithm.Sha512)]
    [InlineData(1234567890L, "89005924", TotpAlgorithm.Sha1)]
    [InlineData(1234567890L, "91819424", TotpAlgorithm.Sha256)]
    [InlineData(1234567890L, "93441116", TotpAlgorithm.Sha512)]
    [InlineData(2000000000L, "69279037", TotpAlgorithm.Sha1)]
    [InlineData(2000000000L, "90698825", TotpAlgorithm.Sha256)]
    [InlineData(2000000000L, "38618901", TotpAlgorithm.Sha512)]
    [InlineData(20000000000L, "65353130", TotpAlgorithm.Sha1)]
    [InlineData(20000000000L, "77737706", TotpAlgorithm.Sha256)]
    [InlineData(20000000000L, "47863826", TotpAlgorithm.Sha512)]
    public void Verify_Rfc6238Vector_MatchesItsTimeStep(long unixSeconds, string code, TotpAlgorithm algorithm)
    {
        var parameters = new TotpParameters(8, 30, algorithm);
        var now = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

        var step = TotpVerifier.Verify(Seed(algorithm), parameters, code, now, windowSteps: 0);

        Assert.Equal(unixSeconds / 30, step);
        Assert.Equal(code, TotpVerifier.Compute(Seed(algorithm), parameters, now));
    }

    [Theory]
    [InlineData(0, -1, false)]
    [InlineData(1, -1, true)]
    [InlineData(1, 1, true)]
    [InlineData(1, 2, false)]
    [InlineData(1, -2, false)]
    [InlineData(2, -2, true)]
    [InlineData(2, 3, false)]
    public void Verify_CodeStepsAway_IsAcceptedOnlyWithinTheWindow(int window, int stepsAway, bool accepted)
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var parameters = new TotpParameters(6, 30, TotpAlgorithm.Sha1);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_015);
        var codeStep = (now.ToUnixTimeSeconds() / 30) + stepsAway;
        var code = IndependentTotp(secret, codeStep, 6, HashAlgorithmName.SHA1);

        var step = TotpVerifier.Verify(secret, parameters, code, now, window);

        Assert.Equal(accepted ? codeStep : null, step);
    }

    [Fact]
    public void Verify_PolicyOfTheEnrollment_UsesItsPeriodAndDigits()
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var parameters = new TotpParameters(8, 60, TotpAlgorithm.Sha256);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var code = IndependentTotp(secret, now.ToUnixTimeSeconds() / 60, 8, HashAlgorithmName.SHA256);

        Assert.Equal(now.ToUnixTimeSeconds() / 60, TotpVerifier.Verify(secret, parameters, code, now, 0));
        Assert.Null(TotpVerifier.Verify(secret, parameters with { PeriodSeconds = 30 }, code, now, 0));
        Assert.Null(TotpVerifier.Verify(secret, parameters with { Algorithm = TotpAlgorithm.Sha1 }, code, now, 0));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    [InlineData("١٢٣٤٥٦")]
    public void Verify_NotSixAsciiDigits_IsRefused(string? code)
    {
        Assert.Null(TotpVerifier.Verify(RandomNumberGenerator.GetBytes(20), new TotpParameters(6, 30, TotpAlgorithm.Sha1), code, DateTimeOffset.UtcNow, 1));
    }

    [Fact]
    public void Verify_CodeTypedInGroups_IsAccepted()
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var now = DateTimeOffset.UtcNow;
        var code = IndependentTotp(secret, now.ToUnixTimeSeconds() / 30, 6, HashAlgorithmName.SHA1);

        Assert.NotNull(TotpVerifier.Verify(secret, new TotpParameters(6, 30, TotpAlgorithm.Sha1), $"{code[..3]} {code[3..]}", now, 0));
    }

    private static byte[] Seed(TotpAlgorithm algorithm) => algorithm switch
    {
        TotpAlgorithm.Sha256 => Sha256Seed,
        TotpAlgorithm.Sha512 => Sha512Seed,
        _ => Sha1Seed,
    };

    /// <summary>RFC 4226 HOTP over the time step, written here without Otp.NET.</summary>
    internal static string IndependentTotp(byte[] secret, long step, int digits, HashAlgorithmName algorithm)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        byte[] hash = algorithm == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(secret, counter)
            : algorithm == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(secret, counter)
            : HMACSHA1.HashData(secret, counter);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % (int)Math.Pow(10, digits)).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }
}
