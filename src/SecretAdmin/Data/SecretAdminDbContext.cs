using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Features.Account;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Features.Users;
using SecretAdmin.Features.Mfa.RecoveryCodes;

namespace SecretAdmin.Data;

/// <summary>
/// The database, on whichever engine is configured. Each engine derives its own context type
/// (<c>Data/&lt;Engine&gt;/</c>) so that its migrations are found for it alone; the model is this one.
/// </summary>
public abstract class SecretAdminDbContext(DbContextOptions options) : IdentityDbContext<SecretAdminUser>(options)
{
    /// <summary>The engine under this context, for what differs between engines (<see cref="WriteLockedTransaction"/>).</summary>
    public IDatabaseEngine Engine { get; } = DatabaseEngineExtension.Of(options);

    public DbSet<OidcSettings> OidcSettings => Set<OidcSettings>();

    public DbSet<SmtpSettings> SmtpSettings => Set<SmtpSettings>();

    public DbSet<MfaPolicy> MfaPolicy => Set<MfaPolicy>();

    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<KeyOperation> KeyOperations => Set<KeyOperation>();

    public DbSet<DataKey> DataKeys => Set<DataKey>();

    public DbSet<StoredSessionKey> SessionKeys => Set<StoredSessionKey>();

    public DbSet<UnknownAccountFailure> UnknownAccountFailures => Set<UnknownAccountFailure>();

    public DbSet<OutboxMail> OutboxMails => Set<OutboxMail>();

    /// <summary>The users' passkeys: Identity's credential records (public keys; nothing in them is secret).</summary>
    public DbSet<IdentityUserPasskey<string>> Passkeys => UserPasskeys;

    /// <summary>
    /// Identity's schema with passkeys (version 3) is applied here rather than read from the app's
    /// Identity options, so the design-time model (<c>dotnet ef</c>) and the running app's are one.
    /// </summary>
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(SecretAdminDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every DateTime is UTC: stored as is, read back marked as UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}
