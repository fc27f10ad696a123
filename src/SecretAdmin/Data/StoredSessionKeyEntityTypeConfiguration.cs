using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Keys;

namespace SecretAdmin.Data;

internal sealed class StoredSessionKeyEntityTypeConfiguration : IEntityTypeConfiguration<StoredSessionKey>
{
    public void Configure(EntityTypeBuilder<StoredSessionKey> builder)
    {
        builder.ToTable("SessionKeys");
        builder.Property(k => k.FriendlyName).HasMaxLength(200);
    }
}
