using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using SecretAdmin.Features.Sso;

namespace SecretAdmin.Tests.Features.Sso;

/// <summary>
/// Role claims in the shapes providers send them, as the ID token handler turns a token's payload
/// into claims (an unsigned token built from the payload, read by the same JsonWebToken type).
/// </summary>
public sealed class RoleClaimsTests
{
    private static ClaimsPrincipal FromPayload(string payload)
    {
        var token = new JsonWebTokenHandler().CreateToken(payload);
        return new ClaimsPrincipal(new ClaimsIdentity(new JsonWebToken(token).Claims, "test"));
    }

    [Theory]
    [InlineData("""{"groups":["staff","secretadmin-admins"]}""", "groups")]
    [InlineData("""{"roles":["secretadmin-admins"]}""", "roles")]
    [InlineData("""{"realm_access":{"roles":["offline_access","secretadmin-admins"]}}""", "realm_access.roles")]
    [InlineData("""{"resource_access":{"secretadmin":{"roles":["secretadmin-admins"]},"account":{"roles":["view-profile"]}}}""", "resource_access.secretadmin.roles")]
    [InlineData("""{"urn:zitadel:iam:org:project:roles":{"secretadmin-admins":{"2193":"corp.example"},"staff":{"2193":"corp.example"}}}""", "urn:zitadel:iam:org:project:roles")]
    [InlineData("""{"scope_roles":"staff secretadmin-admins"}""", "scope_roles")]
    [InlineData("""{"https://secretadmin.example.com/roles":["secretadmin-admins"]}""", "https://secretadmin.example.com/roles")]
    public void Read_ProviderShape_FindsTheAdminValue(string payload, string path)
    {
        var reading = RoleClaims.Read(FromPayload(payload), path);

        Assert.Null(reading.Problem);
        Assert.Contains("secretadmin-admins", reading.Values);
    }

    [Fact]
    public void Read_NestedPathFromUserInfoAsRawJson_FindsTheValues()
    {
        // User info's JSON object claims arrive as one claim holding the object's JSON text.
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("realm_access", """{"roles":["secretadmin-admins"]}""")], "test"));

        Assert.Equal(["secretadmin-admins"], RoleClaims.Read(principal, "realm_access.roles").Values);
    }

    [Theory]
    [InlineData("""{"groups":["staff"]}""", "roles", "roles: absent")]
    [InlineData("""{"realm_access":{"other":["x"]}}""", "realm_access.roles", "realm_access.roles: absent")]
    [InlineData("""{"realm_access":{"roles":42}}""", "realm_access.roles", "realm_access.roles: a number")]
    [InlineData("""{"realm_access":{"roles":[{"name":"x"}]}}""", "realm_access.roles", "realm_access.roles: an array holding an object")]
    [InlineData("""{"realm_access":["x"]}""", "realm_access.roles", "realm_access.roles: a string where an object was expected")]
    [InlineData("""{"groups":[]}""", "groups", "groups: absent")]
    public void Read_AbsentOrUnreadable_SaysWhyByNameAndShapeOnly(string payload, string path, string problem)
    {
        var reading = RoleClaims.Read(FromPayload(payload), path);

        Assert.Empty(reading.Values);
        Assert.Equal(problem, reading.Problem);
    }
}
