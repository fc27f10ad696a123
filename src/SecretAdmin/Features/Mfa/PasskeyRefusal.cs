namespace SecretAdmin.Features.Mfa;

/// <summary>Why the MFA policy refused a passkey that verified: a message for its owner, and a short reason for the audit log.</summary>
public sealed record PasskeyRefusal(string AuditReason, string Message)
{
    public static PasskeyRefusal NoUserVerification { get; } = new(
        "no user verification",
        "An administrator's passkey must check who is using it (a PIN, fingerprint or face). Use a security key or device that asks for one.");

    public static PasskeyRefusal Synced { get; } = new(
        "synced passkey, refused for administrators",
        "The MFA policy does not allow administrators passkeys that sync to other devices. Use a security key or a passkey kept on this device only.");

    /// <summary>Without a password, the passkey is both factors: it must have checked who is using it.</summary>
    public static PasskeyRefusal NoUserVerificationWithoutPassword { get; } = new(
        "no user verification, without a password",
        "This passkey did not check who is using it (no PIN, fingerprint or face), so it cannot sign in without your password. Sign in with your password, then use the passkey.");
}
