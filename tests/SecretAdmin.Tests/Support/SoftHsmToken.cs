using SecretAdmin.Features.Keys;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// A throw-away SoftHSM2 token of this test process (see <see cref="SoftHsm"/> for why they are
/// made up front), with its label and PINs, the options that point SecretAdmin at it, and a way
/// to take it away from under a running process.
/// </summary>
public sealed class SoftHsmToken
{
    private SoftHsmToken(string module, string configPath, string label, string pin, string soPin)
    {
        Module = module;
        ConfigPath = configPath;
        Label = label;
        Pin = pin;
        SoPin = soPin;
    }

    public string Module { get; }

    /// <summary>The <c>softhsm2.conf</c> whose token folder holds this token (the same for every token of the process).</summary>
    public string ConfigPath { get; }

    public string Label { get; }

    public string Pin { get; }

    public string SoPin { get; }

    /// <summary>New options for this token each time, so a test may change them (the key label, a wrong PIN).</summary>
    public Pkcs11MasterKeyOptions Options => new() { Module = Module, TokenLabel = Label, Pin = Pin };

    /// <summary>A token of its own for the calling test.</summary>
    public static SoftHsmToken Create() => SoftHsm.Claim();

    /// <summary>
    /// Deletes the token (<c>softhsm2-util --delete-token</c>, which removes its folder) as if it
    /// were pulled out. Tried on SoftHSM2 2.6.1: a process that has the module loaded still lists the
    /// slot as holding a token, but C_GetTokenInfo on it answers CKR_GENERAL_ERROR, object handles
    /// it had answer CKR_OBJECT_HANDLE_INVALID and searches find nothing — so its next use fails.
    /// Deleting the token's folder by hand does the same.
    /// </summary>
    public void Remove() => SoftHsm.Util(ConfigPath, "--delete-token", "--token", Label);

    internal static SoftHsmToken Initialise(string module, string configPath, string label, string pin, string soPin)
    {
        SoftHsm.Util(configPath, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", soPin);
        return new SoftHsmToken(module, configPath, label, pin, soPin);
    }

    public override string ToString() => $"SoftHSM2 token '{Label}'";
}
