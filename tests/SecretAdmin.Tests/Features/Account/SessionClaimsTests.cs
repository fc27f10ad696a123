using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using SecretAdmin.Access;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Users;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Account;

/// <summary>The claims a session is built from: who the user is, their security stamp, their roles.</summary>
public sealed class SessionClaimsTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();
    private readonly SecretAdminAppFactory _app;

    public SessionClaimsTests() => _app = new SecretAdminAppFactory(_temp);

    public void Dispose()
    {
        _app.Dispose();
        _temp.Dispose();
    }

    private async Task<ClaimsPrincipal> PrincipalOfAsync(string email)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SecretAdminUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<SecretAdminUser>>().CreateAsync(user);
    }

    [Fact]
    public async Task Claims_Administrator_IdNameEmailStampAndTheRole()
    {
        await WebSession.CreateUserAsync(_app, "ada@example.test", admin: true);

        var principal = await PrincipalOfAsync("ada@example.test");

        var identity = Assert.IsType<ClaimsIdentity>(principal.Identity);
        Assert.Equal(IdentityConstants.ApplicationScheme, identity.AuthenticationType);
        Assert.Equal("ada@example.test", identity.Name);
        Assert.Equal("ada@example.test", principal.FindFirstValue(ClaimTypes.Email));
        Assert.False(string.IsNullOrEmpty(principal.FindFirstValue(ClaimTypes.NameIdentifier)));
        Assert.False(string.IsNullOrEmpty(principal.FindFirstValue(new IdentityOptions().ClaimsIdentity.SecurityStampClaimType)));
        Assert.Contains(Roles.Admin, principal.FindAll(ClaimTypes.Role).Select(c => c.Value));
        Assert.Null(principal.FindFirst(SecretAdminClaims.MustChangePassword));
    }

    [Fact]
    public async Task Claims_UserWithATemporaryPassword_TheUserRoleAndMustChangePassword()
    {
        await WebSession.CreateUserAsync(_app, "bob@example.test", admin: false, mustChangePassword: true);

        var principal = await PrincipalOfAsync("bob@example.test");

        Assert.Equal([Roles.User], principal.FindAll(ClaimTypes.Role).Select(c => c.Value));
        Assert.Equal("true", principal.FindFirstValue(SecretAdminClaims.MustChangePassword));
    }
}
