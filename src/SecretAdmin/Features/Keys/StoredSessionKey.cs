namespace SecretAdmin.Features.Keys;

/// <summary>A Data Protection key (it signs session and antiforgery cookies) as stored: its XML, with the key itself encrypted by the master key.</summary>
public sealed class StoredSessionKey
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public required string Xml { get; set; }
}
