namespace SecretAdmin.Features.Mfa;

/// <summary>What the MFA policy asks of a user's second factor.</summary>
public enum SecondFactorRequirement
{
    None,

    /// <summary>An authenticator app or a passkey.</summary>
    Any,

    /// <summary>A passkey, used at sign-in: a phishing-resistant factor.</summary>
    Passkey,
}
