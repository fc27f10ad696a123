using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Mail;

namespace SecretAdmin.Data;

internal sealed class OutboxMailEntityTypeConfiguration : IEntityTypeConfiguration<OutboxMail>
{
    public void Configure(EntityTypeBuilder<OutboxMail> builder)
    {
        builder.ToTable("OutboxMails");
        builder.Property(m => m.Id).HasMaxLength(36).ValueGeneratedNever();
        builder.Property(m => m.Kind).HasMaxLength(60);
        builder.Property(m => m.Recipient).HasMaxLength(320);
        builder.Property(m => m.Subject).HasMaxLength(300);
        builder.HasSealedSecret(m => m.SealedBody, "SealedBody", SecretBinding.Row, updatedAtColumn: "SealedBodyUpdatedAtUtc");
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.LastError).HasMaxLength(1000);

        // The sender's question: which queued mails are due.
        builder.HasIndex(m => new { m.Status, m.NextAttemptAtUtc });
    }
}
