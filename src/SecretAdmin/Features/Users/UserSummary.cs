using SecretAdmin.Access;
using SecretAdmin.Features.Mfa;

namespace SecretAdmin.Features.Users;

/// <summary>What the users page shows of a user. No password hash, no security stamp, no secret.</summary>
public sealed record UserSummary(
    string Id,
    string Email,
    IReadOnlyList<string> Roles,
    SecondFactorSet Factors,
    IReadOnlyList<string> SsoProviders,
    bool IsLockedOut,
    bool IsDisabled,
    bool MustChangePassword,
    DateTime CreatedAtUtc,
    DateTime? LastSignInAtUtc)
{
    public bool IsAdmin => Roles.Contains(Access.Roles.Admin);

    /// <summary>Whether the user has a second factor: an authenticator or a passkey.</summary>
    public bool MfaEnabled => Factors.Any;
}
