namespace SecretAdmin.Features.Audit;

/// <summary>
/// One line of the append-only audit log. It names who did what to whom and which fields
/// changed — never a value of a secret, password, code, token or envelope.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>The length of the reason column.</summary>
    public const int MaxReasonLength = 100;

    public long Id { get; set; }

    public DateTime OccurredAtUtc { get; set; }

    /// <summary>The acting user's email, <c>cli</c>, or <c>anonymous</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>What happened, as one of <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }

    /// <summary>What it happened to: a user's email, a settings area, a key id.</summary>
    public string? Target { get; set; }

    /// <summary>Comma-separated names of changed fields, each from <see cref="AuditFields"/>.</summary>
    public string? ChangedFields { get; set; }

    /// <summary>Why, for an outcome that has a reason (a refused sign-in): a code from a fixed list, never a value from the request.</summary>
    public string? Reason { get; set; }

    public string? ClientIp { get; set; }
}
