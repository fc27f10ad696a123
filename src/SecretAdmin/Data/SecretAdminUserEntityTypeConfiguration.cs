using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Users;

namespace SecretAdmin.Data;

internal sealed class SecretAdminUserEntityTypeConfiguration : IEntityTypeConfiguration<SecretAdminUser>
{
    public void Configure(EntityTypeBuilder<SecretAdminUser> builder)
    {
        builder.Ignore(u => u.IsDisabled);
        builder.HasIndex(u => u.LastSignInAtUtc);
        builder.Property(u => u.TotpSecret).IsSealed();
        builder.Property(u => u.TotpAlgorithm).HasConversion<string>().HasMaxLength(10);
    }
}
