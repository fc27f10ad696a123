using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Sso;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Features.Sso;

public sealed class SsoRulesTests
{
    private static OidcSettingsView Settings(bool enabled = true, string? authority = "https://login.example.test", string? clientId = "secretadmin", SecretStatus? secret = null) =>
        new(enabled, "SSO", authority, clientId, secret ?? new SecretStatus.Set(null, null), "openid", "/signin-oidc", null, null, false, false, null, null, SsoClientAuthentication.Automatic, null, null, null, null, 1);

    [Fact]
    public void Availability_EnabledCompleteAndSecretOpens_IsReady() =>
        Assert.True(SsoAvailability.Of(Settings()).Ready);

    [Theory]
    [InlineData(false, "https://login.example.test", "secretadmin", "single sign-on is off")]
    [InlineData(true, null, "secretadmin", "the authority or client id is missing")]
    [InlineData(true, "https://login.example.test", "", "the authority or client id is missing")]
    public void Availability_OffOrIncomplete_SaysWhy(bool enabled, string? authority, string? clientId, string reason)
    {
        var availability = SsoAvailability.Of(Settings(enabled, authority, clientId));

        Assert.Equal((false, reason), (availability.Ready, availability.Reason));
    }

    [Fact]
    public void Availability_SecretNotSetOrUnreadable_IsNotReady()
    {
        Assert.Equal("no client secret is stored", SsoAvailability.Of(Settings(secret: new SecretStatus.NotSet())).Reason);
        var unreadable = SsoAvailability.Of(Settings(secret: new SecretStatus.Unreadable(UnreadableReason.UnknownKeyId, "key 3 is not in the key ring")));
        Assert.Equal((false, "the stored client secret cannot be opened (key 3 is not in the key ring)"), (unreadable.Ready, unreadable.Reason));
    }

    [Theory]
    [InlineData("ada@corp.test", null, true)]
    [InlineData("ada@corp.test", "", true)]
    [InlineData("ada@corp.test", "corp.test", true)]
    [InlineData("ada@CORP.test", "example.org, @corp.test", true)]
    [InlineData("ada@corp.test.evil", "corp.test", false)]
    [InlineData("ada@sub.corp.test", "corp.test", false)]
    [InlineData("ada@example.org", "corp.test;example.com", false)]
    public void DomainAllowed_List_MatchesTheWholeDomainOnly(string email, string? allowed, bool expected) =>
        Assert.Equal(expected, SsoSignIn.DomainAllowed(email, allowed));

    [Theory]
    [InlineData("invalid_client", SsoErrorKind.ClientRejected)]
    [InlineData("unauthorized_client", SsoErrorKind.ClientRejected)]
    [InlineData("access_denied", SsoErrorKind.Cancelled)]
    [InlineData("server_error", SsoErrorKind.ProviderError)]
    public void Classify_ProtocolError_ByItsCode(string error, SsoErrorKind expected)
    {
        var exception = new OpenIdConnectProtocolException("Message contains error");
        exception.Data["error"] = error;

        Assert.Equal(expected, SsoErrors.Classify(new AuthenticationFailureException("wrapped", exception)));
    }

    [Fact]
    public void Classify_NetworkFailureAndCorrelation_AreTheirOwnKinds()
    {
        Assert.Equal(SsoErrorKind.ProviderUnreachable, SsoErrors.Classify(new InvalidOperationException("IDX20803", new HttpRequestException("refused"))));
        Assert.Equal(SsoErrorKind.Expired, SsoErrors.Classify(new AuthenticationFailureException("Correlation failed.")));
    }

    [Fact]
    public void Codes_EveryKind_RoundTripsAndHasItsOwnText()
    {
        var kinds = Enum.GetValues<SsoErrorKind>();

        Assert.All(kinds, kind => Assert.Equal(kind, SsoErrors.FromCode(SsoErrors.Code(kind))));
        Assert.Equal(kinds.Length, kinds.Select(kind => SsoErrors.Describe(kind).Message).Distinct().Count());
        Assert.Null(SsoErrors.FromCode("no-such-reason"));
    }

    public static TheoryData<Exception, SsoErrorKind> TokenFailures => new()
    {
        { new Microsoft.IdentityModel.Tokens.SecurityTokenInvalidIssuerException("x"), SsoErrorKind.IssuerMismatch },
        { new Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException("x"), SsoErrorKind.TokenExpired },
        { new Microsoft.IdentityModel.Tokens.SecurityTokenNotYetValidException("x"), SsoErrorKind.TokenExpired },
        { new Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException("x"), SsoErrorKind.TokenAudience },
        { new Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException("x"), SsoErrorKind.TokenSignature },
        { new Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException("x"), SsoErrorKind.TokenSignature },
        { new OpenIdConnectProtocolInvalidNonceException("x"), SsoErrorKind.TokenNonce },
    };

    [Theory]
    [MemberData(nameof(TokenFailures))]
    public void Classify_TokenValidationFailure_ByWhatFailed(Exception failure, SsoErrorKind expected)
    {
        Assert.Equal(expected, SsoErrors.Classify(new AuthenticationFailureException("wrapped", failure)));
        Assert.NotEqual(SsoErrors.Describe(SsoErrorKind.ProviderError), SsoErrors.Describe(expected));
    }

    [Theory]
    [InlineData("https://login.example.test/realms/corp", "https://login.example.test/realms/corp", true)]
    [InlineData("https://login.example.test/realms/corp/", "https://login.example.test/realms/corp", true)]
    [InlineData("https://login.example.test/realms/corp", "https://login.example.test/realms/corp/", true)]
    [InlineData("https://login.example.test/realms/other", "https://login.example.test/realms/corp", false)]
    [InlineData("https://LOGIN.example.test/realms/corp", "https://login.example.test/realms/corp", false)]
    [InlineData(null, "https://login.example.test", false)]
    public void Issuer_ComparedWithTheAuthority_OnlyATrailingSlashAside(string? issuer, string authority, bool matches) =>
        Assert.Equal(matches, SsoIssuer.Matches(issuer, authority));

    [Theory]
    [InlineData(new[] { "client_secret_basic", "client_secret_post" }, ClientAuthenticationMethod.Basic)]
    [InlineData(new[] { "client_secret_basic" }, ClientAuthenticationMethod.Basic)]
    [InlineData(new[] { "client_secret_post" }, ClientAuthenticationMethod.Post)]
    [InlineData(new[] { "client_secret_post", "private_key_jwt" }, ClientAuthenticationMethod.Post)]
    [InlineData(new string[0], ClientAuthenticationMethod.Basic)]
    [InlineData(null, ClientAuthenticationMethod.Basic)]
    public void ClientAuthentication_FromDiscovery_PostOnlyWhenBasicIsNotListed(string[]? supported, ClientAuthenticationMethod expected) =>
        Assert.Equal(expected, ClientAuthentication.Choose(supported));

    [Fact]
    public void Classify_ErrorStatusFromTheProvider_IsAProviderErrorNotUnreachable()
    {
        var answered = new HttpRequestException("401", null, System.Net.HttpStatusCode.Unauthorized);
        var unreachable = new HttpRequestException("connection refused");

        Assert.Equal(SsoErrorKind.ProviderError, SsoErrors.Classify(new AuthenticationFailureException("wrapped", answered)));
        Assert.Equal(SsoErrorKind.ProviderUnreachable, SsoErrors.Classify(new AuthenticationFailureException("wrapped", unreachable)));
    }
}
