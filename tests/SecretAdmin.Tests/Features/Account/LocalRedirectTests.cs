using SecretAdmin.Access;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>Return addresses after sign-in stay on this app.</summary>
public sealed class LocalRedirectTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/admin/users?x=1")]
    [InlineData("/settings/smtp#password")]
    public void IsLocal_PathOfThisApp_TrueAndSanitizeKeepsIt(string url)
    {
        Assert.True(LocalRedirect.IsLocal(url));
        Assert.Equal(url, LocalRedirect.Sanitize(url));
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("javascript:alert(1)")]
    [InlineData("/\r\nx")]
    [InlineData("/\t/evil.example")]
    [InlineData("admin/users")]
    public void IsLocal_OtherSiteOrMalformed_FalseAndSanitizeGivesRoot(string? url)
    {
        Assert.False(LocalRedirect.IsLocal(url));
        Assert.Equal("/", LocalRedirect.Sanitize(url));
    }
}
