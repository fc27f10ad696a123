namespace SecretAdmin.Features.Mfa.RecoveryCodes;

/// <summary>One of a user's single-use recovery codes, stored only as a password hash.</summary>
public sealed class RecoveryCode
{
    public long Id { get; set; }

    public required string UserId { get; set; }

    /// <summary>Identity's password hash of the code; the code itself is shown once and never stored.</summary>
    public required string CodeHash { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    public DateTime? UsedAtUtc { get; set; }
}
