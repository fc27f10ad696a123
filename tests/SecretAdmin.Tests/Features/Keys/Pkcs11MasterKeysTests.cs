using System.Security.Cryptography;
using System.Text;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>Master keys on a real SoftHSM2 token: each test has a token of its own (<see cref="SoftHsmToken"/>).</summary>
public sealed class Pkcs11MasterKeysTests
{
    private static readonly byte[] Place = Encoding.UTF8.GetBytes("secretadmin:DataKeys:Wrapped:1");

    private readonly Pkcs11MasterKeys _keys = new();

    [Fact]
    public void Generate_WrapThenUnwrap_RoundTripsInTheFormatOfTheFileKey()
    {
        var token = SoftHsmToken.Create();
        using var key = _keys.Generate(token.Options);
        var plaintext = Encoding.UTF8.GetBytes("a data key, or anything else");

        var wrapped = key.Wrap(plaintext, Place);

        Assert.Matches("^pkcs11:[0-9a-f]{32}$", key.Id);
        Assert.Equal(Envelope.NonceSize + plaintext.Length + Envelope.TagSize, wrapped.Length);
        Assert.Equal(plaintext, key.Unwrap(wrapped, Place));
        Assert.Equal($"the PKCS#11 token '{token.Label}' (module {SoftHsm.Module})", key.Source);
    }

    [Fact]
    public void Wrap_DataKey_UnwrapsToTheSameBytesUnderAFreshNonceEachTime()
    {
        var token = SoftHsmToken.Create();
        using var key = _keys.Generate(token.Options);
        var dataKey = RandomNumberGenerator.GetBytes(32);

        var first = key.Wrap(dataKey, Place);
        var second = key.Wrap(dataKey, Place);

        Assert.NotEqual(first.AsSpan(0, Envelope.NonceSize).ToArray(), second.AsSpan(0, Envelope.NonceSize).ToArray());
        Assert.Equal(dataKey, key.Unwrap(first, Place));
        Assert.Equal(dataKey, key.Unwrap(second, Place));
    }

    [Fact]
    public void Generate_Key_IsASensitiveTokenKeyThatCannotBeRead()
    {
        var token = SoftHsmToken.Create();
        using var key = _keys.Generate(token.Options);

        var attributes = ReadAttributes(token, key.Id, [CKA.CKA_VALUE, CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE, CKA.CKA_TOKEN, CKA.CKA_PRIVATE, CKA.CKA_VALUE_LEN, CKA.CKA_LABEL]);

        Assert.True(attributes[0].CannotBeRead);
        Assert.False(attributes[1].GetValueAsBool());
        Assert.True(attributes[2].GetValueAsBool());
        Assert.True(attributes[3].GetValueAsBool());
        Assert.True(attributes[4].GetValueAsBool());
        Assert.Equal(32UL, attributes[5].GetValueAsUlong());
        Assert.Equal(token.Options.KeyLabel, attributes[6].GetValueAsString());
    }

    [Fact]
    public void Open_ById_FindsTheKeyAgainInNewSessions()
    {
        var token = SoftHsmToken.Create();
        byte[] wrapped;
        string id;
        using (var generated = _keys.Generate(token.Options))
        {
            wrapped = generated.Wrap([1, 2, 3], Place);
            id = generated.Id;
        }

        using var opened = new Pkcs11MasterKeys().Open(token.Options, id);

        Assert.NotNull(opened);
        Assert.Equal(id, opened.Id);
        Assert.Equal([1, 2, 3], opened.Unwrap(wrapped, Place));
    }

    [Fact]
    public void Open_WithoutId_FindsTheOnlyKeyWithTheLabel()
    {
        var token = SoftHsmToken.Create();
        Assert.Null(_keys.Open(token.Options, null));
        using var generated = _keys.Generate(token.Options);

        using var opened = _keys.Open(token.Options, null);

        Assert.Equal(generated.Id, opened?.Id);
    }

    [Fact]
    public void Open_WithoutIdTwoKeysWithTheLabel_ThrowsNamingBothIds()
    {
        var token = SoftHsmToken.Create();
        using var first = _keys.Generate(token.Options);
        using var second = _keys.Generate(token.Options);

        var e = Assert.Throws<MasterKeyUnavailableException>(() => _keys.Open(token.Options, null));

        Assert.Contains(first.Id, e.Message);
        Assert.Contains(second.Id, e.Message);
        Assert.Contains("the database names", e.Message);
    }

    [Theory]
    [InlineData("pkcs11:00000000000000000000000000000000")]
    [InlineData("file:0011223344556677")]
    [InlineData("pkcs11:not-hex")]
    public void Open_IdTheTokenDoesNotHold_ReturnsNull(string id)
    {
        var token = SoftHsmToken.Create();
        using var other = _keys.Generate(token.Options);

        Assert.Null(_keys.Open(token.Options, id));
    }

    [Fact]
    public void Unwrap_ValueWrappedByAnotherKeyOfTheToken_ReturnsNull()
    {
        var token = SoftHsmToken.Create();
        using var key = _keys.Generate(token.Options);
        using var other = _keys.Generate(token.Options);

        var wrapped = other.Wrap(RandomNumberGenerator.GetBytes(32), Place);

        Assert.Null(key.Unwrap(wrapped, Place));
    }

    [Fact]
    public void Unwrap_OtherAssociatedDataOrAlteredOrShort_ReturnsNullAndTheKeyGoesOnWorking()
    {
        var token = SoftHsmToken.Create();
        using var key = _keys.Generate(token.Options);
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = key.Wrap(dataKey, Place);
        var altered = wrapped.ToArray();
        altered[Envelope.NonceSize] ^= 1;

        Assert.Null(key.Unwrap(wrapped, Encoding.UTF8.GetBytes("secretadmin:DataKeys:Wrapped:2")));
        Assert.Null(key.Unwrap(altered, Place));
        Assert.Null(key.Unwrap(wrapped.AsSpan(0, Envelope.NonceSize + Envelope.TagSize - 1), Place));
        Assert.Equal(dataKey, key.Unwrap(wrapped, Place));
    }

    [Fact]
    public void Open_WrongPin_ThrowsNamingTheTokenAndNotThePin()
    {
        var token = SoftHsmToken.Create();
        var options = token.Options;
        options.Pin = "wrong-" + token.Pin;

        var e = Assert.Throws<MasterKeyUnavailableException>(() => _keys.Open(options, null));

        Assert.Contains($"'{token.Label}' refused the PIN", e.Message);
        Assert.Contains(Pkcs11MasterKeyOptions.PinVariable, e.Message);
        Assert.DoesNotContain(token.Pin, e.Message);
    }

    [Fact]
    public void Open_ModuleMissing_ThrowsNamingThePathAndTheSetting()
    {
        var options = SoftHsmToken.Create().Options;
        options.Module = Path.Combine(Path.GetTempPath(), "secretadmin-tests", "no-such-hsm", "libpkcs11.so");

        var e = Assert.Throws<MasterKeyUnavailableException>(() => _keys.Open(options, null));

        Assert.Contains($"The PKCS#11 module {options.Module} does not exist", e.Message);
        Assert.Contains("SecretAdmin:Sealing:MasterKey:Pkcs11:Module", e.Message);
    }

    [Fact]
    public void Generate_NoTokenWithTheLabel_ThrowsNamingTheLabel()
    {
        var options = SoftHsmToken.Create().Options;
        options.TokenLabel = "no-such-token";

        var e = Assert.Throws<MasterKeyUnavailableException>(() => _keys.Generate(options));

        Assert.Contains("No token labelled 'no-such-token'", e.Message);
        Assert.Contains("softhsm2-util --show-slots", e.Message);
    }

    [Theory]
    [InlineData(nameof(Pkcs11MasterKeyOptions.Module), "SecretAdmin:Sealing:MasterKey:Pkcs11:Module is not set")]
    [InlineData(nameof(Pkcs11MasterKeyOptions.TokenLabel), "SecretAdmin:Sealing:MasterKey:Pkcs11:TokenLabel is not set")]
    [InlineData(nameof(Pkcs11MasterKeyOptions.Pin), "set SecretAdmin__Sealing__MasterKey__Pkcs11__Pin")]
    public void Open_SettingMissing_ThrowsNamingTheSetting(string setting, string expected)
    {
        var options = SoftHsmToken.Create().Options;
        typeof(Pkcs11MasterKeyOptions).GetProperty(setting)!.SetValue(options, null);

        var e = Assert.Throws<MasterKeyUnavailableException>(() => _keys.Open(options, null));

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void WrapAndUnwrap_TokenRemovedWhileOpen_ThrowUnavailable()
    {
        var token = SoftHsmToken.Create();
        using var key = _keys.Generate(token.Options);
        var wrapped = key.Wrap(RandomNumberGenerator.GetBytes(32), Place);

        token.Remove();

        var wrap = Assert.Throws<MasterKeyUnavailableException>(() => key.Wrap(RandomNumberGenerator.GetBytes(32), Place));
        var unwrap = Assert.Throws<MasterKeyUnavailableException>(() => key.Unwrap(wrapped, Place));
        Assert.Contains($"The PKCS#11 token '{token.Label}' does not answer", wrap.Message);
        Assert.Contains("the master key is unavailable", unwrap.Message);
        Assert.DoesNotContain(token.Pin, wrap.Message);
    }

    [Fact]
    public void Destroy_Key_OpenReturnsNullAndTheTokenKeepsOtherKeys()
    {
        var token = SoftHsmToken.Create();
        var key = _keys.Generate(token.Options);
        using var kept = _keys.Generate(token.Options);

        _keys.Destroy(token.Options, key.Id);

        Assert.Null(_keys.Open(token.Options, key.Id));
        Assert.NotNull(_keys.Open(token.Options, kept.Id));
        var e = Assert.Throws<MasterKeyUnavailableException>(() => key.Unwrap(key.Wrap([1], Place), Place));
        Assert.Contains("is no longer on the token", e.Message);
        _keys.Destroy(token.Options, key.Id);
    }

    [Fact]
    public void WrapAndUnwrap_ManyThreadsAtOnce_AllRoundTrip()
    {
        var token = SoftHsmToken.Create();
        using var key = _keys.Generate(token.Options);

        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var dataKey = RandomNumberGenerator.GetBytes(32);
            Assert.Equal(dataKey, key.Unwrap(key.Wrap(dataKey, Place), Place));
        });
    }

    /// <summary>Reads attributes of the key straight from the token, as anyone holding the PIN could.</summary>
    private static List<IObjectAttribute> ReadAttributes(SoftHsmToken token, string id, List<CKA> attributes)
    {
        var factories = new Pkcs11InteropFactories();
        var library = Pkcs11Modules.Get(token.Module);
        var slot = library.GetSlotList(SlotsType.WithTokenPresent).Single(s => s.GetTokenInfo().Label.TrimEnd() == token.Label);
        using var session = slot.OpenSession(SessionType.ReadOnly);
        session.Login(CKU.CKU_USER, token.Pin);
        var handle = session.FindAllObjects([factories.ObjectAttributeFactory.Create(CKA.CKA_ID, Pkcs11MasterKey.CkaIdOf(id)!)]).Single();
        return session.GetAttributeValue(handle, attributes);
    }
}
