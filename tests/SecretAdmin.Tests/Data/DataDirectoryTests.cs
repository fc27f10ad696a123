using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Data;

/// <summary>The data folder's files created the owner's alone, on a real temp folder.</summary>
[Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
public sealed class DataDirectoryTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void EnsureCreated_NewFolder_CreatesAnEmptyDatabaseFileOnlyTheOwnerCanRead()
    {
        var narrowed = _temp.Data.EnsureCreated();

        Assert.Empty(narrowed);
        Assert.Equal(0, new FileInfo(_temp.Data.DatabaseFile).Length);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(_temp.Data.DatabaseFile));
    }

    [Fact]
    public void EnsureCreated_DatabaseFilesOpenToOthers_NarrowsThemToTheOwnerAndNamesThem()
    {
        _temp.Data.EnsureCreated();
        var shm = $"{_temp.Data.DatabaseFile}-shm";
        File.WriteAllBytes(shm, []);
        File.SetUnixFileMode(_temp.Data.DatabaseFile, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(shm, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);

        var narrowed = _temp.Data.EnsureCreated();

        Assert.Equal(
            [
                (_temp.Data.DatabaseFile, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
                (shm, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite),
            ],
            narrowed);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(_temp.Data.DatabaseFile));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(shm));
        Assert.Empty(_temp.Data.EnsureCreated());
    }

    [Fact]
    public async Task EnsureCreated_ThenSqliteInWalMode_ItsWalAndShmFilesFollowTheDatabasesMode()
    {
        _temp.Data.EnsureCreated();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_temp.Data.DatabaseFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);";
        await command.ExecuteNonQueryAsync();

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode($"{_temp.Data.DatabaseFile}-wal"));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode($"{_temp.Data.DatabaseFile}-shm"));
    }
}
