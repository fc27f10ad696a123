namespace SecretAdmin.Features.Settings;

/// <summary>A settings table of one row, guarded against lost updates by <see cref="Version"/>.</summary>
public interface ISingleRowSettings
{
    int Id { get; }

    long Version { get; set; }

    DateTime? UpdatedAtUtc { get; set; }

    string? UpdatedBy { get; set; }
}
