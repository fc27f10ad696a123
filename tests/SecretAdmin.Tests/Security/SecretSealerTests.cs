using System.Text;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Security;

public sealed class SecretSealerTests : IDisposable
{
    private static readonly SealedPlace Place = new("SmtpSettings", "Password", "1");
    private const string Plaintext = "correct horse battery staple";

    private readonly SecretSealer _sealer = TestSealing.Sealer(TestSealing.Ring(1));

    public void Dispose() => _sealer.Dispose();

    [Fact]
    public void Open_SealedValue_ReturnsPlaintextAndKeyId()
    {
        var envelope = _sealer.Seal(Plaintext, Place);

        var present = Assert.IsType<SecretRead.PresentSecret>(_sealer.Open(envelope, Place));

        Assert.Equal(Plaintext, present.Value);
        Assert.Equal(1, present.KeyId);
        Assert.False(present.IsLegacyPlaintext);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ü€𝄞 unicode")]
    [InlineData("a long secret with: colons and sa1: inside it, repeated. a long secret with: colons and sa1: inside it")]
    public void Open_SealedValue_RoundTripsAnyText(string plaintext)
    {
        var envelope = _sealer.Seal(plaintext, Place);

        var present = Assert.IsType<SecretRead.PresentSecret>(_sealer.Open(envelope, Place));
        Assert.Equal(plaintext, present.Value);
    }

    [Fact]
    public void Seal_SameValueTwice_UsesFreshNonces()
    {
        var first = _sealer.Seal(Plaintext, Place);
        var second = _sealer.Seal(Plaintext, Place);

        Assert.NotEqual(first, second);
        Assert.NotEqual(first.Split(':')[2][..16], second.Split(':')[2][..16]);
    }

    [Fact]
    public void Seal_Always_WritesDocumentedEnvelopeShape()
    {
        var envelope = _sealer.Seal(Plaintext, Place);

        Assert.Matches("^sa1:1:[A-Za-z0-9_-]+$", envelope);
        Assert.DoesNotContain(Plaintext, envelope, StringComparison.Ordinal);
        var payload = Convert.FromBase64String(ToBase64(envelope.Split(':')[2]));
        Assert.Equal(Envelope.NonceSize + Encoding.UTF8.GetByteCount(Plaintext) + Envelope.TagSize, payload.Length);
    }

    [Fact]
    public void Open_Null_IsUnset()
    {
        Assert.IsType<SecretRead.UnsetSecret>(_sealer.Open((string?)null, Place));
    }

    [Fact]
    public void Open_EverySingleBitFlip_IsUnreadable()
    {
        var envelope = _sealer.Seal(Plaintext, Place);
        var bytes = Encoding.ASCII.GetBytes(envelope);

        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            var tampered = Encoding.Latin1.GetString(flipped);

            var read = _sealer.Open(tampered, Place);

            Assert.True(read is SecretRead.UnreadableSecret, $"flipping bit {bit} gave {read}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("sa1:")]
    [InlineData("sa1:1")]
    [InlineData("sa1:1:")]
    [InlineData("sa1::AAAA")]
    [InlineData("sa1:x:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("sa1:-1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("sa1:1:not base64 at all!")]
    [InlineData("sa1:1:AAAA")]
    public void Open_GarbageEnvelope_IsMalformed(string stored)
    {
        var unreadable = Assert.IsType<SecretRead.UnreadableSecret>(_sealer.Open(stored, Place));
        Assert.Equal(UnreadableReason.Malformed, unreadable.Reason);
    }

    [Theory]
    [InlineData("01")]
    [InlineData("001")]
    [InlineData("1\0")]
    [InlineData("1\0\0")]
    [InlineData("0")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("\u0661")]
    public void Open_KeyIdNotCanonical_IsMalformed(string keyId)
    {
        var payloadText = _sealer.Seal(Plaintext, Place).Split(':')[2];

        var unreadable = Assert.IsType<SecretRead.UnreadableSecret>(_sealer.Open($"sa1:{keyId}:{payloadText}", Place));

        Assert.Equal(UnreadableReason.Malformed, unreadable.Reason);
    }

    [Fact]
    public void Open_TruncatedEnvelope_IsUnreadableAtEveryLength()
    {
        var envelope = _sealer.Seal(Plaintext, Place);

        for (var length = 0; length < envelope.Length; length++)
        {
            var read = _sealer.Open(envelope[..length], Place);
            Assert.True(read is SecretRead.UnreadableSecret, $"truncated to {length} characters gave {read}");
        }
    }

    [Theory]
    [InlineData("SmtpSettings", "Password", "2")]
    [InlineData("OidcSettings", "ClientSecret", "1")]
    [InlineData("SmtpSettings", "Username", "1")]
    public void Open_EnvelopeMovedToAnotherPlace_FailsAuthentication(string table, string column, string rowKey)
    {
        var envelope = _sealer.Seal(Plaintext, Place);

        var unreadable = Assert.IsType<SecretRead.UnreadableSecret>(_sealer.Open(envelope, new SealedPlace(table, column, rowKey)));

        Assert.Equal(UnreadableReason.AuthenticationFailed, unreadable.Reason);
        Assert.Equal(1, unreadable.KeyId);
    }

    [Fact]
    public void Open_UnknownKeyId_IsUnreadableAndNamesTheKey()
    {
        using var other = TestSealing.Sealer(TestSealing.Ring(7));
        var envelope = other.Seal(Plaintext, Place);

        var unreadable = Assert.IsType<SecretRead.UnreadableSecret>(_sealer.Open(envelope, Place));

        Assert.Equal(UnreadableReason.UnknownKeyId, unreadable.Reason);
        Assert.Equal(7, unreadable.KeyId);
        Assert.Contains("key 7", unreadable.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SameKeyIdWithOtherMaterial_FailsAuthentication()
    {
        using var other = TestSealing.Sealer(TestSealing.Ring(1));
        var envelope = other.Seal(Plaintext, Place);

        var unreadable = Assert.IsType<SecretRead.UnreadableSecret>(_sealer.Open(envelope, Place));

        Assert.Equal(UnreadableReason.AuthenticationFailed, unreadable.Reason);
    }

    [Fact]
    public void Open_OlderKeyOfTheRing_StillOpensAfterANewKeyIsActive()
    {
        var ring = TestSealing.Ring(1);
        using var sealer = TestSealing.Sealer(ring);
        var old = sealer.Seal(Plaintext, Place);
        sealer.Use(new KeyRing([.. ring.Keys, new SealingKey(2, DateTimeOffset.UnixEpoch, new byte[32])], activeKeyId: 2));

        var fresh = sealer.Seal(Plaintext, Place);

        Assert.StartsWith("sa1:2:", fresh, StringComparison.Ordinal);
        Assert.Equal(1, Assert.IsType<SecretRead.PresentSecret>(sealer.Open(old, Place)).KeyId);
    }

    [Fact]
    public void Open_LegacyPlaintextWhenNotAllowed_IsUnreadable()
    {
        var unreadable = Assert.IsType<SecretRead.UnreadableSecret>(_sealer.Open("hunter2", Place));

        Assert.Equal(UnreadableReason.LegacyPlaintext, unreadable.Reason);
    }

    [Fact]
    public void Open_LegacyPlaintextWhenAllowed_IsPresentAndFlaggedForResealing()
    {
        using var sealer = TestSealing.Sealer(TestSealing.Ring(1), allowLegacyPlaintext: true);

        var present = Assert.IsType<SecretRead.PresentSecret>(sealer.Open("hunter2", Place));

        Assert.Equal("hunter2", present.Value);
        Assert.True(present.IsLegacyPlaintext);
        Assert.Null(present.KeyId);
    }

    [Theory]
    [InlineData(" ", "sa1", false)]
    [InlineData(" ", "sa1", true)]
    [InlineData("\n", "sa1", false)]
    [InlineData("\n", "sa1", true)]
    [InlineData("\r\n", "sa1", true)]
    [InlineData("\t", "sa1", false)]
    [InlineData("\t", "sa1", true)]
    [InlineData("\uFEFF", "sa1", false)]
    [InlineData("\uFEFF", "sa1", true)]
    [InlineData("\0", "sa1", true)]
    [InlineData("\u200B", "sa1", true)]
    [InlineData("", "SA1", false)]
    [InlineData("", "SA1", true)]
    [InlineData("", "Sa1", true)]
    [InlineData("", "sa2", false)]
    [InlineData("", "sa2", true)]
    [InlineData("", "sa9", false)]
    [InlineData("", "sa9", true)]
    [InlineData("", "sa10", true)]
    public void Open_ValueThatLooksLikeADamagedEnvelope_IsMalformedNeverLegacyPlaintext(string before, string version, bool allowLegacyPlaintext)
    {
        using var sealer = TestSealing.Sealer(TestSealing.Ring(1), allowLegacyPlaintext);
        var damaged = before + version + sealer.Seal(Plaintext, Place)[3..];

        var unreadable = Assert.IsType<SecretRead.UnreadableSecret>(sealer.Open(damaged, Place));

        Assert.Equal(UnreadableReason.Malformed, unreadable.Reason);
    }

    [Theory]
    [InlineData("sa:1:AAAA")]
    [InlineData("sa1")]
    [InlineData("sa1-1:AAAA")]
    [InlineData("salt:1:AAAA")]
    [InlineData("x sa1:1:AAAA")]
    [InlineData("s a1:1:AAAA")]
    public void Open_PlaintextThatOnlyResemblesAnEnvelopeWhenAllowed_IsLegacyPlaintext(string stored)
    {
        using var sealer = TestSealing.Sealer(TestSealing.Ring(1), allowLegacyPlaintext: true);

        var present = Assert.IsType<SecretRead.PresentSecret>(sealer.Open(stored, Place));

        Assert.True(present.IsLegacyPlaintext);
    }

    [Fact]
    public void ToString_OfEveryOutcome_NeverShowsTheValue()
    {
        var envelope = _sealer.Seal(Plaintext, Place);
        SecretRead[] reads = [_sealer.Open(envelope, Place), _sealer.Open(envelope, Place with { RowKey = "9" }), _sealer.Open((string?)null, Place)];

        foreach (var read in reads)
        {
            Assert.DoesNotContain(Plaintext, read.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(envelope, read.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Match_EachOutcome_CallsItsOwnBranch()
    {
        var envelope = _sealer.Seal(Plaintext, Place);

        string Describe(SecretRead read) => read.Match(() => "unset", p => $"present:{p.Value}", u => $"unreadable:{u.Reason}");

        Assert.Equal("unset", Describe(_sealer.Open((string?)null, Place)));
        Assert.Equal($"present:{Plaintext}", Describe(_sealer.Open(envelope, Place)));
        Assert.Equal("unreadable:Malformed", Describe(_sealer.Open("sa1:1:x", Place)));
    }

    [Fact]
    public async Task SealAndOpen_FromManyThreadsAtOnce_AllRoundTrip()
    {
        var tasks = Enumerable.Range(0, 16).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                var place = new SealedPlace("SmtpSettings", "Password", $"{worker}-{i}");
                var value = $"secret {worker} {i}";
                var read = _sealer.Open(_sealer.Seal(value, place), place);
                Assert.Equal(value, Assert.IsType<SecretRead.PresentSecret>(read).Value);
            }
        }));

        await Task.WhenAll(tasks);
    }

    [Fact]
    public void Open_SealedValueLargerThanTheStackBuffers_RoundTrips()
    {
        var plaintext = string.Concat(Enumerable.Repeat("long secret ü€ ", 40));
        var place = new SealedPlace("AspNetUsers", "TotpSecret", new string('r', 300));

        var envelope = _sealer.Seal(plaintext, place);

        Assert.Equal(plaintext, Assert.IsType<SecretRead.PresentSecret>(_sealer.Open(envelope, place)).Value);
        Assert.Equal(UnreadableReason.AuthenticationFailed, Assert.IsType<SecretRead.UnreadableSecret>(_sealer.Open(envelope, Place)).Reason);
    }

    [Theory]
    [InlineData("unused bits")]
    [InlineData("padding")]
    [InlineData("whitespace")]
    [InlineData("standard alphabet")]
    public void Open_PayloadNotInCanonicalBase64Url_IsMalformed(string variant)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var payloadText = _sealer.Seal(Plaintext, Place).Split(':')[2];
        // The payload (12 + 28 + 16 bytes) is not a multiple of 3, so its last character carries
        // unused bits: setting one would decode to the same bytes.
        Assert.NotEqual(0, (Envelope.NonceSize + Encoding.UTF8.GetByteCount(Plaintext) + Envelope.TagSize) % 3);
        var stored = "sa1:1:" + variant switch
        {
            "unused bits" => payloadText[..^1] + alphabet[alphabet.IndexOf(payloadText[^1], StringComparison.Ordinal) ^ 1],
            "padding" => payloadText + "=",
            "whitespace" => payloadText[..8] + " " + payloadText[8..],
            _ => "+/" + payloadText[2..],
        };

        var unreadable = Assert.IsType<SecretRead.UnreadableSecret>(_sealer.Open(stored, Place));

        Assert.Equal(UnreadableReason.Malformed, unreadable.Reason);
    }

    [Fact]
    public async Task SealAndOpen_WhileTheKeyRingIsReplaced_AllRoundTrip()
    {
        // Two rings with the same keys, each making another one active: whatever one seals, both open.
        var keys = TestSealing.Ring(1, 2).Keys;
        var first = new KeyRing(keys, activeKeyId: 1);
        var second = new KeyRing(keys, activeKeyId: 2);
        using var sealer = TestSealing.Sealer(first);
        using var stop = new CancellationTokenSource();

        var swapper = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                sealer.Use(i % 2 == 0 ? second : first);
            }
        });
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var place = new SealedPlace("SmtpSettings", "Password", $"{worker}-{i}");
                var read = sealer.Open(sealer.Seal(Plaintext, place), place);
                Assert.Equal(Plaintext, Assert.IsType<SecretRead.PresentSecret>(read).Value);
            }
        })).ToArray();

        try
        {
            await Task.WhenAll(workers);
        }
        finally
        {
            await stop.CancelAsync();
            await swapper;
        }
    }

    [Fact]
    public void Seal_BeforeAKeyRingIsLoaded_Throws()
    {
        using var sealer = new SecretSealer(Microsoft.Extensions.Options.Options.Create(new SealingOptions()));

        Assert.False(sealer.IsLoaded);
        Assert.Throws<MasterKeyUnavailableException>(() => sealer.Seal(Plaintext, Place));
    }

    private static string ToBase64(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }

    [Fact]
    public void Fingerprint_SameKeyAndPurpose_SameOnEverySealerAndDiffersByValuePurposeAndKey()
    {
        var ring = TestSealing.Ring(1, 2);
        using var one = TestSealing.Sealer(ring);
        using var other = TestSealing.Sealer(ring);
        using var otherKey = TestSealing.Sealer(TestSealing.Ring(1, 2));

        var fingerprint = one.Fingerprint("GHOST@EXAMPLE.TEST", "a purpose");

        Assert.Matches("^2:[0-9a-f]{64}$", fingerprint);
        Assert.Equal(fingerprint, other.Fingerprint("GHOST@EXAMPLE.TEST", "a purpose"));
        Assert.NotEqual(fingerprint, one.Fingerprint("GHOST@EXAMPLE.TESTS", "a purpose"));
        Assert.NotEqual(fingerprint, one.Fingerprint("GHOST@EXAMPLE.TEST", "another purpose"));
        Assert.NotEqual(fingerprint, otherKey.Fingerprint("GHOST@EXAMPLE.TEST", "a purpose"));
    }
}
