using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Mfa;

/// <summary>The MFA policy as a page or the command line edits it.</summary>
public sealed class MfaPolicyForm : ITextInputForm
{
    public string Issuer { get; set; } = "SecretAdmin";

    public int Digits { get; set; } = 6;

    public int PeriodSeconds { get; set; } = 30;

    public TotpAlgorithm Algorithm { get; set; } = TotpAlgorithm.Sha1;

    public int WindowSteps { get; set; } = 1;

    public bool RequireForAdmins { get; set; }

    public bool RequireForAllUsers { get; set; }

    public bool RequireTotpAfterSso { get; set; }

    public bool RequirePasskeyForAdmins { get; set; }

    public bool RequirePasskeyForAllUsers { get; set; }

    public bool RefuseSyncedPasskeysForAdmins { get; set; }

    public int MaxFailedAttempts { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 5;

    /// <summary>The text inputs, labelled as the page labels them; each bound is its column's length.</summary>
    public IEnumerable<TextInputField> TextInputs() =>
    [
        new(nameof(Issuer), "Issuer", Issuer, 100),
    ];

    public static MfaPolicyForm From(MfaPolicyView view) => new()
    {
        Issuer = view.Issuer,
        Digits = view.Digits,
        PeriodSeconds = view.PeriodSeconds,
        Algorithm = view.Algorithm,
        WindowSteps = view.WindowSteps,
        RequireForAdmins = view.RequireForAdmins,
        RequireForAllUsers = view.RequireForAllUsers,
        RequireTotpAfterSso = view.RequireTotpAfterSso,
        RequirePasskeyForAdmins = view.RequirePasskeyForAdmins,
        RequirePasskeyForAllUsers = view.RequirePasskeyForAllUsers,
        RefuseSyncedPasskeysForAdmins = view.RefuseSyncedPasskeysForAdmins,
        MaxFailedAttempts = view.MaxFailedAttempts,
        LockoutMinutes = view.LockoutMinutes,
    };
}
