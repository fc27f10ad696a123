using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Mfa;

/// <summary>Reads and saves the MFA policy, and applies its lockout values to sign-in.</summary>
public sealed class MfaPolicyService(SettingsStore store, IOptions<IdentityOptions> identityOptions)
{
    public Task<MfaPolicyView> GetAsync(CancellationToken cancellationToken = default) =>
        store.ReadAsync<MfaPolicy, MfaPolicyView>((_, row) => new MfaPolicyView(
            row.Issuer, row.Digits, row.PeriodSeconds, row.Algorithm, row.WindowSteps, row.RequireForAdmins, row.RequireForAllUsers,
            row.RequireTotpAfterSso, row.RequirePasskeyForAdmins, row.RequirePasskeyForAllUsers, row.RefuseSyncedPasskeysForAdmins, row.MaxFailedAttempts, row.LockoutMinutes, row.UpdatedAtUtc, row.UpdatedBy, row.Version), cancellationToken);

    public async Task<SettingsSaveResult> SaveAsync(AuditActor actor, MfaPolicyForm form, long expectedVersion, CancellationToken cancellationToken = default)
    {
        await using var edit = await store.EditAsync<MfaPolicy>(expectedVersion, cancellationToken);
        if (edit.IsStale)
        {
            return SettingsSaveResult.Conflict();
        }

        var errors = MfaPolicyValidator.Validate(form);
        if (errors.Count > 0)
        {
            return SettingsSaveResult.Invalid(errors);
        }

        var row = edit.Row;
        var changes = new FieldChanges();
        changes.Set(nameof(row.Issuer), row.Issuer, form.Issuer.Trim(), v => row.Issuer = v);
        changes.Set(nameof(row.Digits), row.Digits, form.Digits, v => row.Digits = v);
        changes.Set(nameof(row.PeriodSeconds), row.PeriodSeconds, form.PeriodSeconds, v => row.PeriodSeconds = v);
        changes.Set(nameof(row.Algorithm), row.Algorithm, form.Algorithm, v => row.Algorithm = v);
        changes.Set(nameof(row.WindowSteps), row.WindowSteps, form.WindowSteps, v => row.WindowSteps = v);
        changes.Set(nameof(row.RequireForAdmins), row.RequireForAdmins, form.RequireForAdmins, v => row.RequireForAdmins = v);
        changes.Set(nameof(row.RequireForAllUsers), row.RequireForAllUsers, form.RequireForAllUsers, v => row.RequireForAllUsers = v);
        changes.Set(nameof(row.RequireTotpAfterSso), row.RequireTotpAfterSso, form.RequireTotpAfterSso, v => row.RequireTotpAfterSso = v);
        changes.Set(nameof(row.RequirePasskeyForAdmins), row.RequirePasskeyForAdmins, form.RequirePasskeyForAdmins, v => row.RequirePasskeyForAdmins = v);
        changes.Set(nameof(row.RequirePasskeyForAllUsers), row.RequirePasskeyForAllUsers, form.RequirePasskeyForAllUsers, v => row.RequirePasskeyForAllUsers = v);
        changes.Set(nameof(row.RefuseSyncedPasskeysForAdmins), row.RefuseSyncedPasskeysForAdmins, form.RefuseSyncedPasskeysForAdmins, v => row.RefuseSyncedPasskeysForAdmins = v);
        changes.Set(nameof(row.MaxFailedAttempts), row.MaxFailedAttempts, form.MaxFailedAttempts, v => row.MaxFailedAttempts = v);
        changes.Set(nameof(row.LockoutMinutes), row.LockoutMinutes, form.LockoutMinutes, v => row.LockoutMinutes = v);
        return await edit.SaveAsync(actor, changes, SettingsArea.MfaPolicy, AuditActions.MfaPolicyChanged, "MFA policy", cancellationToken);
    }

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
