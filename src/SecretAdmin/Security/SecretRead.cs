namespace SecretAdmin.Security;

/// <summary>
/// The three outcomes of reading a stored secret: unset, present, or unreadable with a reason.
/// Unreadable is never unset: callers match on all three (<see cref="Match{T}"/>).
/// </summary>
public abstract class SecretRead
{
    private SecretRead()
    {
    }

    public static SecretRead Unset { get; } = new UnsetSecret();

    public abstract T Match<T>(Func<T> unset, Func<PresentSecret, T> present, Func<UnreadableSecret, T> unreadable);

    public sealed class UnsetSecret : SecretRead
    {
        internal UnsetSecret()
        {
        }

        public override T Match<T>(Func<T> unset, Func<PresentSecret, T> present, Func<UnreadableSecret, T> unreadable) => unset();

        public override string ToString() => "unset";
    }

    /// <summary>The plaintext, for the code that uses it. <see cref="ToString"/> never shows it.</summary>
    public sealed class PresentSecret : SecretRead
    {
        internal PresentSecret(string value, int? keyId)
        {
            Value = value;
            KeyId = keyId;
        }

        public string Value { get; }

        /// <summary>The key that sealed it; null for legacy plaintext, which should be re-sealed.</summary>
        public int? KeyId { get; }

        public bool IsLegacyPlaintext => KeyId is null;

        public override T Match<T>(Func<T> unset, Func<PresentSecret, T> present, Func<UnreadableSecret, T> unreadable) => present(this);

        public override string ToString() => IsLegacyPlaintext ? "present (legacy plaintext)" : $"present (key {KeyId})";
    }

    public sealed class UnreadableSecret : SecretRead
    {
        internal UnreadableSecret(UnreadableReason reason, int? keyId)
        {
            Reason = reason;
            KeyId = keyId;
        }

        public UnreadableReason Reason { get; }

        /// <summary>The key id the envelope names, when it could be parsed.</summary>
        public int? KeyId { get; }

        /// <summary>A sentence for a person: what is wrong. It never holds the stored value.</summary>
        public string Description => Reason switch
        {
            UnreadableReason.UnknownKeyId => $"it was sealed with data key {KeyId}, which the database does not hold",
            UnreadableReason.MasterKeyUnavailable => "the master key is unavailable, so no data key is loaded to open it",
            UnreadableReason.AuthenticationFailed => "it does not authenticate: it was altered, copied from another place, or sealed with a different key",
            UnreadableReason.Malformed => "it is not a well-formed sealed envelope",
            UnreadableReason.LegacyPlaintext => "it is unsealed plaintext and legacy plaintext reads are off",
            UnreadableReason.DestinationChanged => "it was saved for another destination than the one stored beside it now (the destination changed)",
            UnreadableReason.Unbound => "it was sealed before secrets were bound to their destination; restart SecretAdmin to bind it",
            _ => Reason.ToString(),
        };

        public override T Match<T>(Func<T> unset, Func<PresentSecret, T> present, Func<UnreadableSecret, T> unreadable) => unreadable(this);

        public override string ToString() => $"unreadable ({Reason})";
    }
}
