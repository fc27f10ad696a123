using SecretAdmin.Security;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// What a settings page may know of a stored secret: not set, set (when, by whom), or
/// unreadable (why). Never the secret itself.
/// </summary>
public abstract record SecretStatus
{
    private SecretStatus()
    {
    }

    public sealed record NotSet : SecretStatus;

    public sealed record Set(DateTime? UpdatedAtUtc, string? UpdatedBy) : SecretStatus;

    public sealed record Unreadable(UnreadableReason Reason, string Description) : SecretStatus;

    public static SecretStatus From(SecretRead read, DateTime? updatedAtUtc, string? updatedBy) => read.Match<SecretStatus>(
        () => new NotSet(),
        _ => new Set(updatedAtUtc, updatedBy),
        unreadable => new Unreadable(unreadable.Reason, unreadable.Description));
}
