using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SecretAdmin.Data;

/// <summary>
/// Stores UTC times marked as UTC (a time of unspecified kind is taken to be UTC, as PostgreSQL's
/// <c>timestamp with time zone</c> requires) and reads them back with <see cref="DateTimeKind.Utc"/>.
/// </summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
