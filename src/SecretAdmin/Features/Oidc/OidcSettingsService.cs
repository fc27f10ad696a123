using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Oidc;

/// <summary>
/// Reads and saves the OIDC settings. The client secret is sealed here before EF Core sees it,
/// bound to the authority and client id, and opened only for the code that signs people in;
/// pages get its status, never its value.
/// </summary>
public sealed class OidcSettingsService(SettingsStore store, SecretSealer sealer, OidcDiscoveryChecker discovery) : IDestinationBoundSecret
{
    private volatile CachedStatus? _lastStatus;

    public Task<OidcSettingsView> GetAsync(CancellationToken cancellationToken = default) =>
        store.ReadAsync<OidcSettings, OidcSettingsView>((db, row) => new OidcSettingsView(
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
            row.EmailClaimFallback,
            row.ClientAuthentication,
            row.HostedDomainClaim,
            row.HostedDomains,
            row.UpdatedAtUtc,
            row.UpdatedBy,
            row.Version), cancellationToken);

    /// <summary>The configured authority alone (switched on or not), for what needs only the provider's address.</summary>
    public Task<string?> GetAuthorityAsync(CancellationToken cancellationToken = default) =>
        store.ReadAsync<OidcSettings, string?>((_, row) => row.Authority, cancellationToken);

    /// <summary>
    /// The client secret, for the sign-in handler only, to send to <paramref name="authority"/> as
    /// <paramref name="clientId"/>: it opens only when those are what it was saved for. Unset, present, or unreadable.
    /// </summary>
    public Task<SecretRead> OpenClientSecretAsync(string authority, string clientId, CancellationToken cancellationToken = default) =>
        store.ReadAsync<OidcSettings, SecretRead>(
            (db, row) => sealer.Open(row.ClientSecret, ClientSecretPlace(db, row).BoundTo(OidcSettings.ClientSecretDestination(authority, clientId))),
            cancellationToken);

    public async Task<SettingsSaveResult> SaveAsync(AuditActor actor, OidcSettingsForm form, long expectedVersion, CancellationToken cancellationToken = default)
    {
        await using var edit = await store.EditAsync<OidcSettings>(expectedVersion, cancellationToken);
        if (edit.IsStale)
        {
            return SettingsSaveResult.Conflict();
        }

        var row = edit.Row;
        var errors = OidcSettingsValidator.Validate(form, ClientSecretStatus(edit.Db, row));
        if (errors.Count > 0)
        {
            return SettingsSaveResult.Invalid(errors);
        }

        if (SecretChanges.CannotSealNow(nameof(form.NewClientSecret), form.ClientSecretChange, sealer) is { } unsealable)
        {
            return SettingsSaveResult.Invalid(unsealable);
        }

        // Single sign-on is switched on only for a provider that answers as the authority it is
        // configured as (issuer binding); an unreachable one can be saved switched off.
        if (form.Enabled && await discovery.CheckAsync(OidcSettings.NormalAuthority(form.Authority), cancellationToken) is { Succeeded: false } check)
        {
            return SettingsSaveResult.Invalid(new Dictionary<string, string[]>
            {
                [nameof(form.Authority)] = [$"{check.Message} Single sign-on can be saved switched off until the provider answers as this authority."],
            });
        }

        var changes = new FieldChanges();
        changes.Set(nameof(row.Enabled), row.Enabled, form.Enabled, v => row.Enabled = v);
        changes.Set(nameof(row.ButtonLabel), row.ButtonLabel, SsoButtonLabel.NameOf(form.ButtonLabel), v => row.ButtonLabel = v);
        changes.Set(nameof(row.Authority), row.Authority, OidcSettings.NormalAuthority(form.Authority), v => row.Authority = v);
        changes.Set(nameof(row.ClientId), row.ClientId, FieldChanges.Clean(form.ClientId), v => row.ClientId = v);
        changes.Set(nameof(row.Scopes), row.Scopes, string.Join(' ', OidcSettingsValidator.ScopeList(form.Scopes).Distinct(StringComparer.Ordinal)), v => row.Scopes = v);
        changes.Set(nameof(row.CallbackPath), row.CallbackPath, form.CallbackPath.Trim(), v => row.CallbackPath = v);
        changes.Set(nameof(row.RoleClaimType), row.RoleClaimType, FieldChanges.Clean(form.RoleClaimType), v => row.RoleClaimType = v);
        changes.Set(nameof(row.AdminRoleValue), row.AdminRoleValue, FieldChanges.Clean(form.AdminRoleValue), v => row.AdminRoleValue = v);
        changes.Set(nameof(row.CreateUnknownUsers), row.CreateUnknownUsers, form.CreateUnknownUsers, v => row.CreateUnknownUsers = v);
        changes.Set(nameof(row.LinkByVerifiedEmail), row.LinkByVerifiedEmail, form.LinkByVerifiedEmail, v => row.LinkByVerifiedEmail = v);
        var domains = OidcSettingsValidator.DomainList(form.AllowedEmailDomains).Select(d => d.ToLowerInvariant()).Distinct().ToArray();
        changes.Set(nameof(row.AllowedEmailDomains), row.AllowedEmailDomains, domains.Length == 0 ? null : string.Join(", ", domains), v => row.AllowedEmailDomains = v);
        changes.Set(nameof(row.EmailClaimFallback), row.EmailClaimFallback, FieldChanges.Clean(form.EmailClaimFallback), v => row.EmailClaimFallback = v);
        changes.Set(nameof(row.ClientAuthentication), row.ClientAuthentication, form.ClientAuthentication, v => row.ClientAuthentication = v);
        changes.Set(nameof(row.HostedDomainClaim), row.HostedDomainClaim, FieldChanges.Clean(form.HostedDomainClaim), v => row.HostedDomainClaim = v);
        var hostedDomains = OidcSettingsValidator.DomainList(form.HostedDomains).Select(d => d.ToLowerInvariant()).Distinct().ToArray();
        changes.Set(nameof(row.HostedDomains), row.HostedDomains, hostedDomains.Length == 0 ? null : string.Join(", ", hostedDomains), v => row.HostedDomains = v);
        changes.ApplySecret(nameof(row.ClientSecret), row.ClientSecret, form.ClientSecretChange, sealer, ClientSecretPlace(edit.Db, row), edit.NowUtc, actor.Name);
        return await edit.SaveAsync(actor, changes, SettingsArea.Oidc, AuditActions.OidcSettingsChanged, "OIDC settings", cancellationToken);
    }

    public Task BindToDestinationAsync(CancellationToken cancellationToken) =>
        store.BindToDestinationAsync<OidcSettings>(
            nameof(OidcSettings.ClientSecret), "OIDC client secret", row => row.ClientSecret, row => OidcSettings.ClientSecretDestination(row.Authority, row.ClientId), cancellationToken);

    /// <summary>
    /// The client secret's status. The sign-in page and the health check ask on every request, so
    /// the answer is kept for as long as the key ring, the stored secret and its destination stay
    /// the same: the secret is not decrypted for each anonymous request.
    /// </summary>
    private SecretStatus ClientSecretStatus(SecretAdminDbContext db, OidcSettings row)
    {
        var place = ClientSecretPlace(db, row);
        if (sealer.LoadedKeyRing is not { } ring)
        {
            // No keys (the master key stopped answering): the secret is unreadable, and says why.
            return sealer.Status(row.ClientSecret, place);
        }

        if (_lastStatus is { } last && ReferenceEquals(last.Ring, ring) && last.Envelope == row.ClientSecret.Envelope
            && last.BoundTo == row.ClientSecret.Destination && last.Place == place
            && last.UpdatedAtUtc == row.ClientSecret.UpdatedAtUtc && last.UpdatedBy == row.ClientSecret.UpdatedBy)
        {
            return last.Status;
        }

        var status = sealer.Status(row.ClientSecret, place);
        _lastStatus = new CachedStatus(ring, row.ClientSecret.Envelope, row.ClientSecret.Destination, row.ClientSecret.UpdatedAtUtc, row.ClientSecret.UpdatedBy, place, status);
        return status;
    }

    /// <summary>The client secret's place, bound to the authority and client id stored in <paramref name="row"/>.</summary>
    private static SealedPlace ClientSecretPlace(SecretAdminDbContext db, OidcSettings row) =>
        SealedColumn.For<OidcSettings>(db.Model, nameof(OidcSettings.ClientSecret)).At(OidcSettings.SingletonId, OidcSettings.ClientSecretDestination(row.Authority, row.ClientId));

    private sealed record CachedStatus(KeyRing Ring, string? Envelope, string? BoundTo, DateTime? UpdatedAtUtc, string? UpdatedBy, SealedPlace Place, SecretStatus Status);
}
