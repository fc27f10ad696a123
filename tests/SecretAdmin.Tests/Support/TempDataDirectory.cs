using SecretAdmin.Data;

namespace SecretAdmin.Tests.Support;

/// <summary>A fresh data folder under the system temp folder, removed afterwards.</summary>
public sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "secretadmin-tests", Guid.NewGuid().ToString("N"));
        Data = new DataDirectory(Path);
    }

    public string Path { get; }

    public DataDirectory Data { get; }

    /// <summary>
    /// The master key material a test app on this folder uses when start-up loaded none: the same
    /// for every app on the folder, as a master key file beside it would be.

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
