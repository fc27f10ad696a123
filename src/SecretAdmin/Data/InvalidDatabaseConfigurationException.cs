namespace SecretAdmin.Data;

/// <summary>The database settings cannot work as given; the message says which one and how to fix it, and never holds a password.</summary>
public sealed class InvalidDatabaseConfigurationException(string message) : Exception(message);
