using Microsoft.AspNetCore.Identity;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Security;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Users;

/// <summary>A person who signs in: Identity's user with what the console tracks besides.</summary>
public sealed class SecretAdminUser : IdentityUser
{
    /// <summary>Set for a temporary password: the user must choose a new one before anything else.</summary>
    public bool MustChangePassword { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    public DateTime? LastSignInAtUtc { get; set; }

    /// <summary>When an admin disabled the account; a disabled user cannot sign in.</summary>
    public DateTime? DisabledAtUtc { get; set; }

    public bool IsDisabled => DisabledAtUtc is not null;

    /// <summary>The sealed TOTP secret, bound to this user's row; set when the authenticator was enrolled.</summary>
    public SealedSecret TotpSecret { get; set; } = new();

    /// <summary>The digits, period and algorithm the enrollment was made with (not today's policy).</summary>
    public int? TotpDigits { get; set; }

    public int? TotpPeriodSeconds { get; set; }

    public TotpAlgorithm? TotpAlgorithm { get; set; }

    /// <summary>The last time step a code was accepted for; a code is accepted only for a later step.</summary>
    public long? TotpLastAcceptedStep { get; set; }

    /// <summary>
    /// Removes the authenticator. Recovery codes and passkeys are rows of their own, and whether a
    /// second step is still asked for is settled by <see cref="SecondFactors.SettleAsync"/>.
    /// </summary>
    public void ForgetAuthenticator()
    {
        TotpSecret = new SealedSecret();
        TotpDigits = null;
        TotpPeriodSeconds = null;
        TotpAlgorithm = null;
    }
}
