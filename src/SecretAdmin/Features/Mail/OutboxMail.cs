using SecretAdmin.Security;

namespace SecretAdmin.Features.Mail;

/// <summary>
/// A mail the product sends, written in the same transaction as the change that causes it and
/// delivered by <see cref="OutboxSender"/>. A body that carries a link with a token is held in
/// <see cref="SealedBody"/>, sealed; others in <see cref="Body"/>. Both are dropped once it is sent.
/// </summary>
public sealed class OutboxMail
{
    /// <summary>
    /// Made here, not by the database, because the sealed body's associated data names its row before
    /// it is inserted; text, as the re-seal reads every sealed row's key the same way on each engine.
    /// Version 7, so ids sort in the order mails were queued.
    /// </summary>
    public string Id { get; set; } = Guid.CreateVersion7().ToString();

    /// <summary>What it is, such as <c>invitation</c> or <c>notice.password-changed</c>; never its content.</summary>
    public string Kind { get; set; } = "";

    public string Recipient { get; set; } = "";

    public string Subject { get; set; } = "";

    /// <summary>The plain-text body of a mail that carries no token; null once sent.</summary>
    public string? Body { get; set; }

    /// <summary>The sealed plain-text body of a mail that carries a token, bound to its row; cleared once sent.</summary>
    public SealedSecret SealedBody { get; set; } = new();

    public OutboxStatus Status { get; set; } = OutboxStatus.Queued;

    public int Attempts { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    /// <summary>When the next attempt is due.</summary>
    public DateTime NextAttemptAtUtc { get; set; }

    /// <summary>Until when a sender (on any node) holds it; another takes it only after this.</summary>
    public DateTime? ClaimedUntilUtc { get; set; }

    public DateTime? LastAttemptAtUtc { get; set; }

    /// <summary>The step and server reply of the last failed attempt, never the body.</summary>
    public string? LastError { get; set; }

    public DateTime? SentAtUtc { get; set; }
}
