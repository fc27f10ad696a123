namespace SecretAdmin.Security;

/// <summary>
/// What a page or a command may know of a stored secret: not set, set (when, by whom), or
/// unreadable (why) — and the destination it is bound to. Never the secret itself.
/// </summary>
public abstract record SecretStatus
{
    private SecretStatus()
    {
    }

    /// <summary>The <see cref="SecretDestination"/> the stored secret was sealed for; null when none is stored or it is bound to its row alone.</summary>
    public string? BoundTo { get; init; }

    public sealed record NotSet : SecretStatus;

    public sealed record Set(DateTime? UpdatedAtUtc, string? UpdatedBy) : SecretStatus;

    public sealed record Unreadable(UnreadableReason Reason, string Description) : SecretStatus;
}
