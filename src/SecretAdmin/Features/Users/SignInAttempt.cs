namespace SecretAdmin.Features.Users;

/// <summary>
/// One sign-in attempt's slot, from <see cref="SignInAttempts.ClaimAsync"/>.
/// </summary>
/// <param name="Granted">False: the account is locked out — answer so without checking anything.</param>
/// <param name="Counted">False when lockout is off for this user: nothing was counted.</param>
/// <param name="MaxFailedAttempts">The lockout policy's number when the slot was claimed.</param>
/// <param name="LockedUntil">Set when this slot was the last one and locked the account: a wrong answer is answered "locked out".</param>
/// <param name="LockoutEndBefore">The (past) lockout end the row held when the slot was claimed.</param>
public sealed record SignInAttempt(
    string UserId,
    bool Granted,
    bool Counted,
    int MaxFailedAttempts,
    DateTimeOffset? LockedUntil,
    DateTimeOffset? LockoutEndBefore)
{
    /// <summary>True when this attempt's failure locks the account out.</summary>
    public bool LocksOut => LockedUntil is not null;

    public static SignInAttempt Refused(string userId) => new(userId, Granted: false, Counted: false, 0, null, null);
}
