namespace SecretAdmin.Security;

public enum UnreadableReason
{
    /// <summary>The envelope names a data key id the key ring in use (the database) does not hold.</summary>
    UnknownKeyId,

    /// <summary>The envelope does not authenticate: altered, moved to another place, or sealed with another key.</summary>
    AuthenticationFailed,

    /// <summary>The stored text is not a well-formed envelope.</summary>
    Malformed,

    /// <summary>The stored text is unsealed plaintext and legacy reads are off.</summary>
    LegacyPlaintext,

    /// <summary>The destination stored beside the secret is not the one it was sealed for: it changed behind the app's back.</summary>
    DestinationChanged,

    /// <summary>The master key is unavailable (missing, wrong, its token absent), so no data key is loaded.</summary>
    MasterKeyUnavailable,

    /// <summary>The secret authenticates somewhere but was sealed before destination binding; start-up binds it.</summary>
    Unbound,
}
