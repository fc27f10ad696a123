namespace SecretAdmin.Features.Mail;

/// <summary>One outbox mail as the Mail page lists it: never its body.</summary>
public sealed record OutboxEntry(
    string Id,
    string Kind,
    string Recipient,
    string Subject,
    OutboxStatus Status,
    int Attempts,
    DateTime CreatedAtUtc,
    DateTime NextAttemptAtUtc,
    DateTime? SentAtUtc,
    string? LastError);
