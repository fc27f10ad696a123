using System.Buffers.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using SecretAdmin.Features.Mfa.Passkeys;

namespace SecretAdmin.Tests.Features.Mfa;

/// <summary>
/// The passkey ceremony's cookie and the first reading of a browser's credential: what a stranger
/// can send (a tampered cookie, one for the other ceremony, a malformed credential) is refused.
/// </summary>
public sealed class PasskeyCeremonyTests
{
    private readonly PasskeyCeremony _ceremony = new(new EphemeralDataProtectionProvider());

    /// <summary>The cookie a response set, sent back with a new request as a browser would.</summary>
    private static DefaultHttpContext Returning(HttpContext response, Func<string, string>? tamper = null)
    {
        var header = response.Response.Headers.SetCookie.ToString();
        var cookie = SetCookieHeaderValue.Parse(header);
        var next = new DefaultHttpContext();
        next.Request.Headers.Cookie = $"{cookie.Name}={(tamper ?? (v => v))(cookie.Value.ToString())}";
        return next;
    }

    [Fact]
    public void Begin_ThenTake_GivesTheStateOnceAndDeletesTheCookie()
    {
        var begun = new DefaultHttpContext();
        _ceremony.Begin(begun, PasskeyOperation.SignIn, "{\"challenge\":\"x\"}");
        var header = begun.Response.Headers.SetCookie.ToString();

        var next = Returning(begun);
        var state = _ceremony.Take(next, PasskeyOperation.SignIn);

        Assert.Equal("{\"challenge\":\"x\"}", state);
        Assert.Contains("httponly", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", header, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("challenge", header, StringComparison.Ordinal);
        Assert.Contains($"{PasskeyCeremony.CookieName}=;", next.Response.Headers.SetCookie.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Take_TheOtherCeremony_IsNothing()
    {
        var begun = new DefaultHttpContext();
        _ceremony.Begin(begun, PasskeyOperation.SignIn, "state");

        Assert.Null(_ceremony.Take(Returning(begun), PasskeyOperation.Registration));
    }

    [Fact]
    public void Take_TamperedOrMissingCookie_IsNothing()
    {
        var begun = new DefaultHttpContext();
        _ceremony.Begin(begun, PasskeyOperation.Registration, "state");

        Assert.Null(_ceremony.Take(Returning(begun, v => v[..^2] + (v[^2] == 'A' ? "BB" : "AA")), PasskeyOperation.Registration));
        Assert.Null(_ceremony.Take(new DefaultHttpContext(), PasskeyOperation.Registration));
    }

    [Fact]
    public void Take_CookieOfAnotherServerKey_IsNothing()
    {
        var begun = new DefaultHttpContext();
        new PasskeyCeremony(new EphemeralDataProtectionProvider()).Begin(begun, PasskeyOperation.SignIn, "state");

        Assert.Null(_ceremony.Take(Returning(begun), PasskeyOperation.SignIn));
    }

    private static string Assertion(string id, byte flags) =>
        $$$"""{"id":"{{{id}}}","type":"public-key","response":{"authenticatorData":"{{{Base64Url.EncodeToString([.. new byte[32], flags, 0, 0, 0, 1])}}}"}}""";

    [Fact]
    public void Credential_ReadsItsIdAndFlags()
    {
        var id = Base64Url.EncodeToString([1, 2, 3, 4]);

        var verified = PasskeyCredential.FromAssertionJson(Assertion(id, 0x01 | 0x04 | 0x08))!;
        var presentOnly = PasskeyCredential.FromAssertionJson(Assertion(id, 0x01))!;

        Assert.Equal([1, 2, 3, 4], verified.Id);
        Assert.Equal((true, true), (verified.UserVerified, verified.BackupEligible));
        Assert.Equal((false, false), (presentOnly.UserVerified, presentOnly.BackupEligible));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"id\":\"AQID\"}")]
    [InlineData("{\"id\":5,\"response\":{\"authenticatorData\":\"AAAA\"}}")]
    [InlineData("{\"id\":\"AQID\",\"response\":{\"authenticatorData\":\"AAAA\"}}")]
    [InlineData("{\"id\":\"!!\",\"response\":{\"authenticatorData\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}")]
    [InlineData("{\"id\":\"\",\"response\":{\"authenticatorData\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}")]
    public void Credential_Malformed_IsNothing(string? json) =>
        Assert.Null(PasskeyCredential.FromAssertionJson(json));
}
