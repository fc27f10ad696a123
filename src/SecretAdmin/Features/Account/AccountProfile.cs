namespace SecretAdmin.Features.Account;

/// <summary>What the account page shows of the signed-in user. No password hash, no security stamp, no secret.</summary>
public sealed record AccountProfile(
    string Email,
    IReadOnlyList<string> Roles,
    bool TwoFactorEnabled,
    DateTime CreatedAtUtc,
    DateTime? LastSignInAtUtc);
