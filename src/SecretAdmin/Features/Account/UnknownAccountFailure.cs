namespace SecretAdmin.Features.Account;

/// <summary>
/// Failed sign-ins for an email that has no account, kept in the database so every node counts
/// them together, as Identity counts a real account's. The email is stored only as a keyed
/// fingerprint: it could be a password typed into the wrong box.
/// </summary>
public sealed class UnknownAccountFailure
{
    /// <summary><see cref="Security.SecretSealer.Fingerprint"/> of the email, upper-cased and trimmed.</summary>
    public required string Fingerprint { get; set; }

    public int Failures { get; set; }

    public DateTime? LockedUntilUtc { get; set; }

    public DateTime LastFailureAtUtc { get; set; }
}
