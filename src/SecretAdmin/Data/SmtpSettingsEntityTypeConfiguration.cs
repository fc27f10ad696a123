using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Smtp;

namespace SecretAdmin.Data;

internal sealed class SmtpSettingsEntityTypeConfiguration : IEntityTypeConfiguration<SmtpSettings>
{
    public void Configure(EntityTypeBuilder<SmtpSettings> builder)
    {
        builder.ToTable("SmtpSettings", t => t.HasCheckConstraint("CK_SmtpSettings_Singleton", $"\"Id\" = {SmtpSettings.SingletonId}"));
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Host).HasMaxLength(253);
        builder.Property(s => s.Security).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.Authentication).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.Username).HasMaxLength(320);
        builder.HasSealedSecret(s => s.Password, "Password", SecretBinding.Destination);
        builder.Property(s => s.OAuthGrant).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.OAuthTokenEndpoint).HasMaxLength(2000);
        builder.Property(s => s.OAuthClientId).HasMaxLength(500);
        builder.Property(s => s.OAuthScope).HasMaxLength(1000);
        builder.Property(s => s.OAuthClientAuthentication).HasConversion<string>().HasMaxLength(20);
        builder.HasSealedSecret(s => s.OAuthClientSecret, "OAuthClientSecret", SecretBinding.Destination);
        builder.HasSealedSecret(s => s.OAuthPrivateKey, "OAuthPrivateKey", SecretBinding.Destination);
        builder.Property(s => s.OAuthCertificate).HasMaxLength(8000);
        builder.Property(s => s.FromAddress).HasMaxLength(320);
        builder.Property(s => s.FromName).HasMaxLength(200);
        builder.Property(s => s.UpdatedBy).HasMaxLength(256);
        builder.Property(s => s.Version).IsConcurrencyToken();
    }
}
