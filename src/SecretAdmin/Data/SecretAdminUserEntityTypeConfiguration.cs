using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Features.Users;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Data;

internal sealed class SecretAdminUserEntityTypeConfiguration : IEntityTypeConfiguration<SecretAdminUser>
{
    public void Configure(EntityTypeBuilder<SecretAdminUser> builder)
    {
        builder.Ignore(u => u.IsDisabled);
        builder.HasIndex(u => u.LastSignInAtUtc);
        builder.HasSealedSecret(u => u.TotpSecret, "TotpSecret", SecretBinding.Row, updatedAtColumn: "TotpEnrolledAtUtc");
        builder.Property(u => u.TotpAlgorithm).HasConversion<string>().HasMaxLength(10);

        // Written only by the step ledger's conditional UPDATE: Identity's UserManager.UpdateAsync
        // saves whole users it loaded earlier and must never put back an older accepted step.
        builder.Property(u => u.TotpLastAcceptedStep).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
    }
}
