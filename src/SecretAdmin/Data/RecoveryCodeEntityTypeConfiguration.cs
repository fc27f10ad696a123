using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Users;
using SecretAdmin.Features.Mfa.RecoveryCodes;

namespace SecretAdmin.Data;

internal sealed class RecoveryCodeEntityTypeConfiguration : IEntityTypeConfiguration<RecoveryCode>
{
    public void Configure(EntityTypeBuilder<RecoveryCode> builder)
    {
        builder.ToTable("RecoveryCodes");
        builder.Property(c => c.CodeHash).HasMaxLength(200);
        builder.HasIndex(c => c.UserId);
        builder.HasOne<SecretAdminUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
