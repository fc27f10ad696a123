using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecretAdmin.Security;

namespace SecretAdmin.Data;

public static class SealedColumnBuilderExtensions
{
    /// <summary>
    /// Maps a <see cref="SealedSecret"/> to the columns <c>&lt;column&gt;</c> (the envelope, marked
    /// sealed so that start-up checks, census, verify and re-seal find it), <c>&lt;column&gt;Destination</c>,
    /// <c>&lt;column&gt;UpdatedAtUtc</c> (or <paramref name="updatedAtColumn"/>) and <c>&lt;column&gt;UpdatedBy</c>.
    /// </summary>
    public static EntityTypeBuilder<TEntity> HasSealedSecret<TEntity>(
        this EntityTypeBuilder<TEntity> builder,
        Expression<Func<TEntity, SealedSecret?>> secret,
        string column,
        SecretBinding binding,
        string? updatedAtColumn = null)
        where TEntity : class
    {
        builder.ComplexProperty(secret, s =>
        {
            s.IsRequired();
            s.Property(x => x.Envelope).HasColumnName(column).HasAnnotation(SealedColumn.Annotation, binding.ToString());
            s.Property(x => x.Destination).HasColumnName($"{column}Destination").HasMaxLength(2500);
            s.Property(x => x.UpdatedAtUtc).HasColumnName(updatedAtColumn ?? $"{column}UpdatedAtUtc");
            s.Property(x => x.UpdatedBy).HasColumnName($"{column}UpdatedBy").HasMaxLength(256);
        });
        return builder;
    }
}
