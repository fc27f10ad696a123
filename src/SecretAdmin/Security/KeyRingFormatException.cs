namespace SecretAdmin.Security;

/// <summary>A key ring's text is not a valid key ring. The message says why and never holds key material.</summary>
public sealed class KeyRingFormatException(string reason) : Exception(reason);
