namespace SecretAdmin.Security;

/// <summary>
/// A stored secret: its sealed envelope, the destination it was sealed for, and when and by whom it
/// was last set. Entities hold one per secret (an EF Core complex type that keeps each column's
/// name); only <see cref="SecretSealer"/> turns it into plaintext, and only for the code that uses it.
/// </summary>
public sealed class SealedSecret
{
    /// <summary>The <c>sa1:</c> envelope, or null when no secret is stored.</summary>
    public string? Envelope { get; set; }

    /// <summary>
    /// Where the secret may be sent, as <see cref="SecretDestination"/> wrote it when it was sealed
    /// (also part of the envelope's associated data); null for a secret bound to its row alone.
    /// </summary>
    public string? Destination { get; set; }

    public DateTime? UpdatedAtUtc { get; set; }

    public string? UpdatedBy { get; set; }

    public bool IsStored => Envelope is not null;

    /// <summary>Holds <paramref name="envelope"/>, sealed by <see cref="SecretSealer.Seal(string, SealedPlace)"/> for its place and destination.</summary>
    public void Store(string envelope, string? destination, DateTime atUtc, string by)
    {
        Envelope = envelope;
        Destination = destination;
        UpdatedAtUtc = atUtc;
        UpdatedBy = by;
    }

    public void Clear(DateTime atUtc, string by)
    {
        Envelope = null;
        Destination = null;
        UpdatedAtUtc = atUtc;
        UpdatedBy = by;
    }

    public override string ToString() => IsStored ? "sealed secret" : "no secret";
}
