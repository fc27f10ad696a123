using System.CommandLine;
using SecretAdmin.Commands;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Features.Mfa;

/// <summary>
/// <c>SecretAdmin settings mfa set</c>: the MFA policy page's service, validation and audit (actor <c>cli</c>).
/// Options left out keep their stored values.
/// </summary>
internal static class MfaPolicyCommand
{
    public static Command Create()
    {
        var issuer = new Option<string?>("--issuer") { Description = "The issuer name authenticator apps show." };
        var digits = new Option<int?>("--digits") { Description = "6 or 8." };
        var period = new Option<int?>("--period") { Description = "Seconds per code, 15-120." };
        var algorithm = new Option<string?>("--algorithm") { Description = "sha1, sha256 or sha512." };
        algorithm.AcceptOnlyFromAmong("sha1", "sha256", "sha512");
        var window = new Option<int?>("--window") { Description = "Steps accepted before and after the current one, 0-2." };
        var admins = new Option<bool?>("--require-for-admins") { Description = "Administrators must use MFA (true or false)." };
        var everyone = new Option<bool?>("--require-for-all-users") { Description = "Every user must use MFA (true or false)." };
        var afterSso = new Option<bool?>("--require-totp-after-sso") { Description = "Ask for the authenticator code after single sign-on too (true or false)." };
        var passkeyAdmins = new Option<bool?>("--require-passkey-for-admins") { Description = "Administrators must sign in with a passkey (true or false)." };
        var passkeyEveryone = new Option<bool?>("--require-passkey-for-all-users") { Description = "Every user must sign in with a passkey (true or false)." };
        var refuseSynced = new Option<bool?>("--refuse-synced-passkeys-for-admins") { Description = "Administrators may not use passkeys that sync to other devices (true or false)." };
        var attempts = new Option<int?>("--max-failed-attempts") { Description = "Failed attempts before lockout, 1-100." };
        var minutes = new Option<int?>("--lockout-minutes") { Description = "Minutes a lockout lasts, 1-1440." };
        var set = new Command("set", "Change the MFA policy.") { issuer, digits, period, algorithm, window, admins, everyone, afterSso, passkeyAdmins, passkeyEveryone, refuseSynced, attempts, minutes };
        set.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var service = services.GetRequiredService<MfaPolicyService>();
            var view = await service.GetAsync(ct);
            var form = MfaPolicyForm.From(view);
            form.Issuer = parse.GetValue(issuer) ?? form.Issuer;
            form.Digits = parse.GetValue(digits) ?? form.Digits;
            form.PeriodSeconds = parse.GetValue(period) ?? form.PeriodSeconds;
            form.Algorithm = parse.GetValue(algorithm) switch
            {
                "sha1" => TotpAlgorithm.Sha1,
                "sha256" => TotpAlgorithm.Sha256,
                "sha512" => TotpAlgorithm.Sha512,
                _ => form.Algorithm,
            };
            form.WindowSteps = parse.GetValue(window) ?? form.WindowSteps;
            form.RequireForAdmins = parse.GetValue(admins) ?? form.RequireForAdmins;
            form.RequireForAllUsers = parse.GetValue(everyone) ?? form.RequireForAllUsers;
            form.RequireTotpAfterSso = parse.GetValue(afterSso) ?? form.RequireTotpAfterSso;
            form.RequirePasskeyForAdmins = parse.GetValue(passkeyAdmins) ?? form.RequirePasskeyForAdmins;
            form.RequirePasskeyForAllUsers = parse.GetValue(passkeyEveryone) ?? form.RequirePasskeyForAllUsers;
            form.RefuseSyncedPasskeysForAdmins = parse.GetValue(refuseSynced) ?? form.RefuseSyncedPasskeysForAdmins;
            form.MaxFailedAttempts = parse.GetValue(attempts) ?? form.MaxFailedAttempts;
            form.LockoutMinutes = parse.GetValue(minutes) ?? form.LockoutMinutes;
            return SettingsCommand.Report(await service.SaveAsync(AuditActor.Cli, form, view.Version, ct), "MFA policy", set);
        }, cancellationToken));
        return new Command("mfa", "The MFA policy.") { set };
    }
}
