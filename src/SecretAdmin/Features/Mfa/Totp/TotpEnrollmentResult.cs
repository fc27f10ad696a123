namespace SecretAdmin.Features.Mfa.Totp;

/// <summary>The outcome of confirming an enrollment: enabled (with the recovery codes, shown once), or why not.</summary>
public sealed record TotpEnrollmentResult(bool Succeeded, string? Message, IReadOnlyList<string> RecoveryCodes)
{
    public static TotpEnrollmentResult Enabled(IReadOnlyList<string> recoveryCodes) => new(true, null, recoveryCodes);

    public static TotpEnrollmentResult Refused(string message) => new(false, message, []);

    public override string ToString() => Succeeded ? $"enabled ({RecoveryCodes.Count} recovery codes)" : $"refused: {Message}";
}
