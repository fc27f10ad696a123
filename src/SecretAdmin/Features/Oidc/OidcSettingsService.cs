using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Oidc;

/// <summary>
/// Reads and saves the OIDC settings. The client secret is sealed here before EF Core sees it
/// and opened only for the code that signs people in; pages get its status, never its value.
/// </summary>
public sealed class OidcSettingsService(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    SecretSealer sealer,
    AuditLog auditLog,
    SettingsChangeNotifier notifier,
    TimeProvider timeProvider)
    : SingleRowSettingsService<OidcSettings>(dbContextFactory, sealer, auditLog, notifier, timeProvider)
{
    protected override SettingsArea Area => SettingsArea.Oidc;

    protected override string AuditAction => AuditActions.OidcSettingsChanged;

    protected override string AuditTarget => "OIDC settings";

    public Task<OidcSettingsView> GetAsync(CancellationToken cancellationToken = default) =>
        ReadAsync((db, row) => new OidcSettingsView(
            row.Enabled,
            row.ButtonLabel,
            row.Authority,
            row.ClientId,
            ClientSecretStatus(db, row),
            row.Scopes,
            row.CallbackPath,
            row.RoleClaimType,
            row.AdminRoleValue,
            row.CreateUnknownUsers,
            row.LinkByVerifiedEmail,
            row.AllowedEmailDomains,
            row.UpdatedAtUtc,
            row.UpdatedBy,
            row.Version), cancellationToken);

    /// <summary>The client secret, for the sign-in handler only: unset, present, or unreadable.</summary>
    public Task<SecretRead> OpenClientSecretAsync(CancellationToken cancellationToken = default) =>
        ReadAsync((db, row) => Sealer.Open(row.ClientSecret, ClientSecretPlace(db)), cancellationToken);

    public Task<SettingsSaveResult> SaveAsync(AuditActor actor, OidcSettingsForm form, long expectedVersion, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(
            actor,
            expectedVersion,
            (db, row) => OidcSettingsValidator.Validate(form, ClientSecretStatus(db, row)),
            (db, row, changes, now) =>
            {
                changes.Set(nameof(row.Enabled), row.Enabled, form.Enabled, v => row.Enabled = v);
                changes.Set(nameof(row.ButtonLabel), row.ButtonLabel, form.ButtonLabel.Trim(), v => row.ButtonLabel = v);
                changes.Set(nameof(row.Authority), row.Authority, FieldChanges.Clean(form.Authority)?.TrimEnd('/'), v => row.Authority = v);
                changes.Set(nameof(row.ClientId), row.ClientId, FieldChanges.Clean(form.ClientId), v => row.ClientId = v);
                changes.Set(nameof(row.Scopes), row.Scopes, string.Join(' ', OidcSettingsValidator.ScopeList(form.Scopes).Distinct(StringComparer.Ordinal)), v => row.Scopes = v);
                changes.Set(nameof(row.CallbackPath), row.CallbackPath, form.CallbackPath.Trim(), v => row.CallbackPath = v);
                changes.Set(nameof(row.RoleClaimType), row.RoleClaimType, FieldChanges.Clean(form.RoleClaimType), v => row.RoleClaimType = v);
                changes.Set(nameof(row.AdminRoleValue), row.AdminRoleValue, FieldChanges.Clean(form.AdminRoleValue), v => row.AdminRoleValue = v);
                changes.Set(nameof(row.CreateUnknownUsers), row.CreateUnknownUsers, form.CreateUnknownUsers, v => row.CreateUnknownUsers = v);
                changes.Set(nameof(row.LinkByVerifiedEmail), row.LinkByVerifiedEmail, form.LinkByVerifiedEmail, v => row.LinkByVerifiedEmail = v);
                var domains = OidcSettingsValidator.DomainList(form.AllowedEmailDomains).Select(d => d.ToLowerInvariant()).Distinct().ToArray();
                changes.Set(nameof(row.AllowedEmailDomains), row.AllowedEmailDomains, domains.Length == 0 ? null : string.Join(", ", domains), v => row.AllowedEmailDomains = v);
                ApplySecret(changes, nameof(row.ClientSecret), form.ClientSecretChange, row.ClientSecret, ClientSecretPlace(db), (sealedValue, at, by) =>
                {
                    row.ClientSecret = sealedValue;
                    row.ClientSecretUpdatedAtUtc = at;
                    row.ClientSecretUpdatedBy = by;
                }, now, actor.Name);
            },
            cancellationToken);

    private SecretStatus ClientSecretStatus(SecretAdminDbContext db, OidcSettings row) =>
        SecretStatus.From(Sealer.Open(row.ClientSecret, ClientSecretPlace(db)), row.ClientSecretUpdatedAtUtc, row.ClientSecretUpdatedBy);

    private static SealedPlace ClientSecretPlace(SecretAdminDbContext db) =>
        SealedColumn.For<OidcSettings>(db.Model, nameof(OidcSettings.ClientSecret)).At(OidcSettings.SingletonId);
}
