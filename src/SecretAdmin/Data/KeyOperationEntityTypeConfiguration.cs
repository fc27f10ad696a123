using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Keys;

namespace SecretAdmin.Data;

internal sealed class KeyOperationEntityTypeConfiguration : IEntityTypeConfiguration<KeyOperation>
{
    public void Configure(EntityTypeBuilder<KeyOperation> builder)
    {
        builder.ToTable("KeyOperations");
        builder.Property(o => o.Kind).HasMaxLength(32);
        builder.Property(o => o.StartedBy).HasMaxLength(256);
        builder.Property(o => o.Failure).HasMaxLength(200);
    }
}
