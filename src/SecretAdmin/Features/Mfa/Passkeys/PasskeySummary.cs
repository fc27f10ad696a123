namespace SecretAdmin.Features.Mfa.Passkeys;

/// <summary>What the owner sees of a passkey: its name and history, never its key.</summary>
/// <param name="Id">The credential id, base64url: how the page names it back.</param>
/// <param name="Synced">Backup-eligible: the passkey can be copied to the owner's other devices.</param>
public sealed record PasskeySummary(string Id, string Name, DateTime CreatedAtUtc, DateTime? LastUsedAtUtc, bool Synced, bool UserVerified);
