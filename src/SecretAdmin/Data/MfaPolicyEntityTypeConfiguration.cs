using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Mfa;

namespace SecretAdmin.Data;

internal sealed class MfaPolicyEntityTypeConfiguration : IEntityTypeConfiguration<MfaPolicy>
{
    public void Configure(EntityTypeBuilder<MfaPolicy> builder)
    {
        builder.ToTable("MfaPolicy", t => t.HasCheckConstraint("CK_MfaPolicy_Singleton", $"\"Id\" = {MfaPolicy.SingletonId}"));
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Issuer).HasMaxLength(100);
        builder.Property(p => p.Algorithm).HasConversion<string>().HasMaxLength(10);
        builder.Property(p => p.UpdatedBy).HasMaxLength(256);
        builder.Property(p => p.Version).IsConcurrencyToken();
    }
}
