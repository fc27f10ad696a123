namespace SecretAdmin.Features.Audit;

/// <summary>Who acts, for the audit log: a user's email, <c>cli</c>, or <c>anonymous</c>, and where from.</summary>
public sealed record AuditActor(string Name, string? ClientIp)
{
    public static AuditActor Cli { get; } = new("cli", null);

    public static AuditActor Anonymous(string? clientIp) => new("anonymous", clientIp);
}
