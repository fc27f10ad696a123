using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Account;

namespace SecretAdmin.Data;

internal sealed class UnknownAccountFailureEntityTypeConfiguration : IEntityTypeConfiguration<UnknownAccountFailure>
{
    public void Configure(EntityTypeBuilder<UnknownAccountFailure> builder)
    {
        builder.ToTable("UnknownAccountFailures");
        builder.HasKey(f => f.Fingerprint);
        builder.Property(f => f.Fingerprint).HasMaxLength(80);
        builder.HasIndex(f => f.LastFailureAtUtc);
    }
}
