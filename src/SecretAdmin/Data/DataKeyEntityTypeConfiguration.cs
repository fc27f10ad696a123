using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Keys;

namespace SecretAdmin.Data;

internal sealed class DataKeyEntityTypeConfiguration : IEntityTypeConfiguration<DataKey>
{
    public void Configure(EntityTypeBuilder<DataKey> builder)
    {
        builder.ToTable("DataKeys");

        // Ids are the ones envelopes name: chosen by the rotation (the highest plus one), never by the database.
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.MasterKeyId).HasMaxLength(200);
    }
}
