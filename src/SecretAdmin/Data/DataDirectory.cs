using SecretAdmin.Security;

namespace SecretAdmin.Data;

/// <summary>
/// The folder that holds the database and the master key file: setting
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

    /// <summary>The key-ring file of earlier versions: its keys move into the database, wrapped by the master key, at the first start.</summary>
    public string KeyRingFile => System.IO.Path.Combine(KeyRingFolder, "keyring.json");

    public string MasterKeyFile => System.IO.Path.Combine(KeyRingFolder, "master.key");

    /// <summary>
    /// Where earlier versions kept the Data Protection keys, unencrypted. They are no longer read
    /// (session keys are in the database, encrypted with the master key); start-up says so while it exists.
    /// </summary>
    public string FormerDataProtectionKeysFolder => System.IO.Path.Combine(Path, "data-protection-keys");

    public static DataDirectory From(IConfiguration configuration) =>
        new(configuration[Setting] is { Length: > 0 } path ? path : "data");

    /// <summary>The database file and the files SQLite keeps beside it (and the migration lock).</summary>
    public IEnumerable<string> DatabaseFiles =>
        [DatabaseFile, $"{DatabaseFile}-wal", $"{DatabaseFile}-shm", $"{DatabaseFile}-journal", $"{DatabaseFile}.migrating"];

    /// <summary>
    /// Creates the folder, the owner's alone, where it does not exist, and makes
    /// the database files the owner's alone (mode 0600). Returns the database files that were
    /// readable or writable by group or others (left so by an earlier version) with their former mode.
    /// </summary>
    /// <remarks>
    /// SQLite creates a new database file with mode 0644, and each -wal, -shm and -journal file with
    /// the mode of its database file (os_unix.c: findCreateFileMode, unixOpenSharedMemory). So the
    /// database file is created here first, empty and 0600 — SQLite takes an empty file for a new
    /// database — and the files SQLite creates beside it, now or after a restart, follow it. A
    /// process-wide umask(077) would do the same through a native call, but for every file any
    /// library of the process creates (and, in the tests, for the test host too); this way only the
    /// files meant are touched.
    /// </remarks>
    public IReadOnlyList<(string File, UnixFileMode FormerMode)> EnsureCreated()
    {
        OwnerOnlyFolder.Create(Path);
        if (OperatingSystem.IsWindows())
        {
            return [];
        }

        try
        {
            using var created = new FileStream(DatabaseFile, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnlyFile.Mode,
            });
        }
        catch (IOException) when (File.Exists(DatabaseFile))
        {
            // It exists already (an earlier start, or another process starting at the same time).
        }

        var narrowed = new List<(string, UnixFileMode)>();
        foreach (var file in DatabaseFiles.Where(File.Exists))
        {
            var mode = File.GetUnixFileMode(file);
            if ((mode & OwnerOnlyFile.GroupOrOthers) != 0)
            {
                File.SetUnixFileMode(file, mode & ~OwnerOnlyFile.GroupOrOthers);
                narrowed.Add((file, mode));
            }
        }

        return narrowed;
    }
}
