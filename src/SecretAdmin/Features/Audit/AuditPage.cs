namespace SecretAdmin.Features.Audit;

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int TotalCount);
