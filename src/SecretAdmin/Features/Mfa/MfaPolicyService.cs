using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Mfa;

/// <summary>Reads and saves the MFA policy, and applies its lockout values to sign-in.</summary>
public sealed class MfaPolicyService(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    SecretSealer sealer,
    AuditLog auditLog,
    SettingsChangeNotifier notifier,
    TimeProvider timeProvider,
    IOptions<IdentityOptions> identityOptions)
    : SingleRowSettingsService<MfaPolicy>(dbContextFactory, sealer, auditLog, notifier, timeProvider)
{
    protected override SettingsArea Area => SettingsArea.MfaPolicy;

    protected override string AuditAction => AuditActions.MfaPolicyChanged;

    protected override string AuditTarget => "MFA policy";

    public Task<MfaPolicyView> GetAsync(CancellationToken cancellationToken = default) =>
        ReadAsync((_, row) => new MfaPolicyView(
            row.Issuer, row.Digits, row.PeriodSeconds, row.Algorithm, row.WindowSteps, row.RequireForAdmins, row.RequireForAllUsers,
            row.RequireTotpAfterSso, row.MaxFailedAttempts, row.LockoutMinutes, row.UpdatedAtUtc, row.UpdatedBy, row.Version), cancellationToken);

    public Task<SettingsSaveResult> SaveAsync(AuditActor actor, MfaPolicyForm form, long expectedVersion, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(
            actor,
            expectedVersion,
            (_, _) => MfaPolicyValidator.Validate(form),
            (_, row, changes, _) =>
            {
                changes.Set(nameof(row.Issuer), row.Issuer, form.Issuer.Trim(), v => row.Issuer = v);
                changes.Set(nameof(row.Digits), row.Digits, form.Digits, v => row.Digits = v);
                changes.Set(nameof(row.PeriodSeconds), row.PeriodSeconds, form.PeriodSeconds, v => row.PeriodSeconds = v);
                changes.Set(nameof(row.Algorithm), row.Algorithm, form.Algorithm, v => row.Algorithm = v);
                changes.Set(nameof(row.WindowSteps), row.WindowSteps, form.WindowSteps, v => row.WindowSteps = v);
                changes.Set(nameof(row.RequireForAdmins), row.RequireForAdmins, form.RequireForAdmins, v => row.RequireForAdmins = v);
                changes.Set(nameof(row.RequireForAllUsers), row.RequireForAllUsers, form.RequireForAllUsers, v => row.RequireForAllUsers = v);
                changes.Set(nameof(row.RequireTotpAfterSso), row.RequireTotpAfterSso, form.RequireTotpAfterSso, v => row.RequireTotpAfterSso = v);
                changes.Set(nameof(row.MaxFailedAttempts), row.MaxFailedAttempts, form.MaxFailedAttempts, v => row.MaxFailedAttempts = v);
                changes.Set(nameof(row.LockoutMinutes), row.LockoutMinutes, form.LockoutMinutes, v => row.LockoutMinutes = v);
            },
            cancellationToken);

    /// <summary>
    /// Makes sign-in lock accounts as the stored policy says. Read at each sign-in, so a change
    /// saved by another instance or the command line applies too.
    /// </summary>
    public async Task ApplyLockoutAsync(CancellationToken cancellationToken = default)
    {
        var policy = await GetAsync(cancellationToken);
        var lockout = identityOptions.Value.Lockout;
        lockout.MaxFailedAccessAttempts = policy.MaxFailedAttempts;
        lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(policy.LockoutMinutes);
    }
}
