using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SecretAdmin.Data;

public static class SealedColumnBuilderExtensions
{
    /// <summary>Marks a text column as holding sealed envelopes: start-up checks, verify and re-seal find it.</summary>
    public static PropertyBuilder<string?> IsSealed(this PropertyBuilder<string?> property) =>
        property.HasAnnotation(SealedColumn.Annotation, true);
}
