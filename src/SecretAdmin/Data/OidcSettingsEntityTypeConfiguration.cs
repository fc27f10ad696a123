using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Oidc;

namespace SecretAdmin.Data;

internal sealed class OidcSettingsEntityTypeConfiguration : IEntityTypeConfiguration<OidcSettings>
{
    public void Configure(EntityTypeBuilder<OidcSettings> builder)
    {
        builder.ToTable("OidcSettings", t => t.HasCheckConstraint("CK_OidcSettings_Singleton", $"\"Id\" = {OidcSettings.SingletonId}"));
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.ButtonLabel).HasMaxLength(100);
        builder.Property(s => s.Authority).HasMaxLength(2000);
        builder.Property(s => s.ClientId).HasMaxLength(500);
        builder.HasSealedSecret(s => s.ClientSecret, "ClientSecret", SecretBinding.Destination);
        builder.Property(s => s.Scopes).HasMaxLength(1000);
        builder.Property(s => s.CallbackPath).HasMaxLength(200);
        builder.Property(s => s.RoleClaimType).HasMaxLength(200);
        builder.Property(s => s.AdminRoleValue).HasMaxLength(200);
        builder.Property(s => s.AllowedEmailDomains).HasMaxLength(2000);
        builder.Property(s => s.EmailClaimFallback).HasMaxLength(200);
        builder.Property(s => s.ClientAuthentication).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.HostedDomainClaim).HasMaxLength(200);
        builder.Property(s => s.HostedDomains).HasMaxLength(2000);
        builder.Property(s => s.UpdatedBy).HasMaxLength(256);
        builder.Property(s => s.Version).IsConcurrencyToken();
    }
}
