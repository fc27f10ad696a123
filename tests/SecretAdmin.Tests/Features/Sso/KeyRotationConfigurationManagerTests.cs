using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;
using SecretAdmin.Features.Sso;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Sso;

/// <summary>
/// The configuration manager under the token handler the OpenID Connect handler uses, against a
/// provider in memory whose published keys the test changes.
/// </summary>
public sealed class KeyRotationConfigurationManagerTests : IDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);
    private readonly ManualTimeProvider _clock = new();
    private readonly FakeProvider _provider = new();
    private readonly KeyRotationConfigurationManager _manager;
    private readonly SigningKey _first = new("k1");
    private readonly SigningKey _second = new("k2");
    private readonly SigningKey _third = new("k3");

    public KeyRotationConfigurationManagerTests()
    {
        _manager = new KeyRotationConfigurationManager(
            $"{FakeProvider.Issuer}/.well-known/openid-configuration", _provider, RefreshInterval, TimeSpan.FromHours(12), _clock, NullLogger.Instance);
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _third.Dispose();
    }

    private async Task<TokenValidationResult> ValidateAsync(SigningKey key) =>
        await new JsonWebTokenHandler().ValidateTokenAsync(key.Sign(), new TokenValidationParameters
        {
            ConfigurationManager = _manager,
            ValidAudience = FakeProvider.ClientId,
        });

    [Fact]
    public async Task ValidateToken_KeyPublishedAfterTheKeysWereRead_ReadsThemOnceMoreAndSucceeds()
    {
        _provider.Publish(_first);
        await _manager.GetConfigurationAsync(CancellationToken.None);
        _provider.Publish(_second, _first);

        var rotated = await ValidateAsync(_second);
        var next = await ValidateAsync(_second);

        Assert.True(rotated.IsValid, rotated.Exception?.Message);
        Assert.True(next.IsValid, next.Exception?.Message);
        Assert.Equal(2, _provider.JwksReads);
    }

    [Fact]
    public async Task ValidateToken_KidStillUnknownAfterTheRefresh_FailsAndTheNextTokenReadsNothing()
    {
        _provider.Publish(_first);
        await _manager.GetConfigurationAsync(CancellationToken.None);

        var unknown = await ValidateAsync(_third);
        var again = await ValidateAsync(_third);
        _clock.Advance(RefreshInterval - TimeSpan.FromSeconds(1));
        var later = await ValidateAsync(_third);

        Assert.IsType<SecurityTokenSignatureKeyNotFoundException>(unknown.Exception);
        Assert.IsType<SecurityTokenSignatureKeyNotFoundException>(again.Exception);
        Assert.False(later.IsValid);
        Assert.Equal(2, _provider.JwksReads);
        Assert.True((await ValidateAsync(_first)).IsValid);
    }

    [Fact]
    public async Task ValidateToken_UnknownKidOnceTheRefreshIntervalHasPassed_ReadsTheKeysAgain()
    {
        _provider.Publish(_first);
        await _manager.GetConfigurationAsync(CancellationToken.None);
        await ValidateAsync(_second);
        _provider.Publish(_third, _first);
        _clock.Advance(RefreshInterval);

        var result = await ValidateAsync(_third);

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(3, _provider.JwksReads);
    }

    [Fact]
    public async Task GetConfigurationAsync_ManyReadersAfterOneRequest_ReadTheProviderOnce()
    {
        _provider.Publish(_first);
        var before = await _manager.GetConfigurationAsync(CancellationToken.None);
        _provider.Publish(_second, _first);

        _manager.RequestRefresh();
        _manager.RequestRefresh();
        var read = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _manager.GetConfigurationAsync(CancellationToken.None))));

        Assert.Equal(2, _provider.JwksReads);
        Assert.All(read, configuration => Assert.NotSame(before, configuration));
        Assert.All(read, configuration => Assert.Contains(configuration.SigningKeys, key => key.KeyId == "k2"));
    }

    [Fact]
    public async Task GetConfigurationAsync_ProviderDownWhenRefreshing_KeepsTheKeysItHad()
    {
        _provider.Publish(_first);
        var before = await _manager.GetConfigurationAsync(CancellationToken.None);
        _provider.Down = true;

        _manager.RequestRefresh();
        var after = await _manager.GetConfigurationAsync(CancellationToken.None);

        Assert.Same(before, after);
        _provider.Down = false;
        Assert.True((await ValidateAsync(_first)).IsValid);
    }

    /// <summary>An RSA signing key under a kid, which signs ID tokens the way the provider would.</summary>
    private sealed class SigningKey(string kid) : IDisposable
    {
        private readonly RSA _rsa = RSA.Create(2048);

        public string Kid { get; } = kid;

        public object PublicJwk()
        {
            var parameters = _rsa.ExportParameters(includePrivateParameters: false);
            return new
            {
                kty = "RSA",
                use = "sig",
                alg = "RS256",
                kid = Kid,
                n = Base64UrlEncoder.Encode(parameters.Modulus),
                e = Base64UrlEncoder.Encode(parameters.Exponent),
            };
        }

        public string Sign() => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = FakeProvider.Issuer,
            Audience = FakeProvider.ClientId,
            Subject = new ClaimsIdentity([new Claim("sub", "rita")]),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = Kid }, SecurityAlgorithms.RsaSha256),
        });

        public void Dispose() => _rsa.Dispose();
    }

    /// <summary>A provider's discovery document and JWKS, served from memory; counts the JWKS reads.</summary>
    private sealed class FakeProvider : IDocumentRetriever
    {
        public const string Issuer = "https://idp.test";
        public const string ClientId = "secretadmin";
        private string _jwks = """{"keys":[]}""";
        private int _jwksReads;

        public int JwksReads => Volatile.Read(ref _jwksReads);

        public bool Down { get; set; }

        public void Publish(params SigningKey[] keys) =>
            _jwks = JsonSerializer.Serialize(new { keys = keys.Select(key => key.PublicJwk()) });

        public Task<string> GetDocumentAsync(string address, CancellationToken cancel)
        {
            if (Down)
            {
                throw new IOException("The provider is down.");
            }

            if (address == $"{Issuer}/jwks")
            {
                Interlocked.Increment(ref _jwksReads);
                return Task.FromResult(_jwks);
            }

            Assert.Equal($"{Issuer}/.well-known/openid-configuration", address);
            return Task.FromResult(JsonSerializer.Serialize(new
            {
                issuer = Issuer,
                authorization_endpoint = $"{Issuer}/auth",
                token_endpoint = $"{Issuer}/token",
                jwks_uri = $"{Issuer}/jwks",
                id_token_signing_alg_values_supported = new[] { "RS256" },
            }));
        }
    }
}
