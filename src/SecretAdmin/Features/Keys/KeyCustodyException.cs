namespace SecretAdmin.Features.Keys;

/// <summary>The keys cannot be loaded or changed safely; the message says why and what to do, never key material.</summary>
public sealed class KeyCustodyException(string message) : Exception(message);
