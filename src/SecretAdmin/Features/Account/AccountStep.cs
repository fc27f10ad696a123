namespace SecretAdmin.Features.Account;

/// <summary>A step a signed-in user must take before anything else is open to them.</summary>
public enum AccountStep
{
    None,

    /// <summary>Signed in with a temporary password: choose a new one.</summary>
    ChangePassword,

    /// <summary>The MFA policy requires a second factor for the user's role, and they have none.</summary>
    EnrollMfa,

    /// <summary>The MFA policy requires a passkey for the user's role, and they have none.</summary>
    EnrollPasskey,
}
