using SecretAdmin.Security;

namespace SecretAdmin.Data;

/// <summary>
/// The folder that holds the database, the key ring and the Data Protection keys: setting
/// <c>SecretAdmin:DataDirectory</c> (environment <c>SecretAdmin__DataDirectory</c>), default <c>data</c>
/// under the working directory.
/// </summary>
public sealed class DataDirectory
{
    public const string Setting = "SecretAdmin:DataDirectory";

    public DataDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    public string DatabaseFile => System.IO.Path.Combine(Path, "secretadmin.db");

    public string KeyRingFolder => System.IO.Path.Combine(Path, "keys");

    public string KeyRingFile => System.IO.Path.Combine(KeyRingFolder, "keyring.json");

    public string DataProtectionKeysFolder => System.IO.Path.Combine(Path, "data-protection-keys");

    public static DataDirectory From(IConfiguration configuration) =>
        new(configuration[Setting] is { Length: > 0 } path ? path : "data");

    /// <summary>Creates the folder and its key folders, the owner's alone, where they do not exist.</summary>
    public void EnsureCreated()
    {
        OwnerOnlyFolder.Create(Path);
        OwnerOnlyFolder.Create(DataProtectionKeysFolder);
    }
}
