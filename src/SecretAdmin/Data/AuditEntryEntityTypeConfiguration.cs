using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Data;

internal sealed class AuditEntryEntityTypeConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        // Append-only: the migration adds triggers that refuse UPDATE and DELETE.
        builder.ToTable("AuditEntries");
        builder.Property(e => e.Actor).HasMaxLength(256);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.Target).HasMaxLength(256);
        builder.Property(e => e.ChangedFields).HasMaxLength(1000);
        builder.Property(e => e.Reason).HasMaxLength(AuditEntry.MaxReasonLength);
        builder.Property(e => e.ClientIp).HasMaxLength(64);
        builder.HasIndex(e => e.OccurredAtUtc);
        builder.HasIndex(e => e.Actor);
        builder.HasIndex(e => e.Action);
    }
}
