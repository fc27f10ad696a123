namespace SecretAdmin.Features.Audit;

/// <summary>A page of the audit log, newest first, filtered by actor (contains), action and a UTC time range.</summary>
public sealed record AuditQuery(
    string? Actor = null,
    string? Action = null,
    DateTime? FromUtc = null,
    DateTime? ToUtc = null,
    int Page = 0,
    int PageSize = 25);
