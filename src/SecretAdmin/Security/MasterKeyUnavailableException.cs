namespace SecretAdmin.Security;

/// <summary>The master key cannot be used: missing, unreadable, its token absent or its PIN refused. The message names the source and what to do, never key material.</summary>
public sealed class MasterKeyUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
