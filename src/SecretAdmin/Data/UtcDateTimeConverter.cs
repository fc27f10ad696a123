using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SecretAdmin.Data;

/// <summary>Stores UTC times as they are and reads them back with <see cref="DateTimeKind.Utc"/>.</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value,
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
