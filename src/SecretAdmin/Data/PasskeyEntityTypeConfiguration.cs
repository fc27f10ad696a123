using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Data;

/// <summary>
/// Identity's passkey table as its schema version 3 lays it out (mapped here, so the design-time
/// model and the running app's never depend on which Identity options built it first), plus when
/// each passkey last signed someone in: a shadow column Identity's store leaves alone.
/// </summary>
internal sealed class PasskeyEntityTypeConfiguration : IEntityTypeConfiguration<IdentityUserPasskey<string>>
{
    public const string LastUsedAtUtc = "LastUsedAtUtc";

    public void Configure(EntityTypeBuilder<IdentityUserPasskey<string>> builder)
    {
        builder.ToTable("AspNetUserPasskeys");
        builder.HasKey(p => p.CredentialId);
        builder.Property(p => p.CredentialId).HasMaxLength(1024);
        builder.HasOne<SecretAdminUser>().WithMany().HasForeignKey(p => p.UserId).IsRequired().OnDelete(DeleteBehavior.Cascade);
        builder.OwnsOne(p => p.Data).ToJson();
        builder.Property<DateTime?>(LastUsedAtUtc);
    }
}
