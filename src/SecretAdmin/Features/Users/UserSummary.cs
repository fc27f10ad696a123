using SecretAdmin.Access;

namespace SecretAdmin.Features.Users;

/// <summary>What the users page shows of a user. No password hash, no security stamp, no secret.</summary>
public sealed record UserSummary(
    string Id,
    string Email,
    IReadOnlyList<string> Roles,
    bool MfaEnabled,
    IReadOnlyList<string> SsoProviders,
    bool IsLockedOut,
    bool IsDisabled,
    bool MustChangePassword,
    DateTime CreatedAtUtc,
    DateTime? LastSignInAtUtc)
{
    public bool IsAdmin => Roles.Contains(Access.Roles.Admin);
}
