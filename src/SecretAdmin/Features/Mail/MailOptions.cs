namespace SecretAdmin.Features.Mail;

/// <summary>How the outbox retries (<c>SecretAdmin:Mail</c>).</summary>
public sealed class MailOptions
{
    public const string Section = "SecretAdmin:Mail";

    /// <summary>The wait after the first failed attempt; it doubles after each one, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts before a mail is given up as failed (about a day with the defaults).</summary>
    public int MaxAttempts { get; set; } = 30;

    /// <summary>
    /// How long a node holds a mail it is sending: more than the longest SMTP timeout (300 s), so no
    /// other node sends it meanwhile. A node that died holding one leaves it to be sent after this.
    /// </summary>
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>How often each node looks for due mail, besides being woken by mail it queued itself.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
