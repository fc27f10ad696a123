namespace SecretAdmin.Features.Mfa.Totp;

public enum TotpCheckOutcome
{
    Accepted,

    /// <summary>The code matches no step in the window.</summary>
    Invalid,

    /// <summary>The code's time step was already used (a replay, or a second use within its period).</summary>
    Replayed,

    /// <summary>The stored secret cannot be opened: the check fails closed; a recovery code still works.</summary>
    SecretUnreadable,

    /// <summary>The user has no authenticator enrolled.</summary>
    NotEnrolled,
}
