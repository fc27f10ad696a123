using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Security;

public sealed class KeyRingFileTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TryCreate_NoFile_WritesOwnerOnlyFileInOwnerOnlyFolder()
    {
        var file = new KeyRingFile(_temp.Data.KeyRingFile);
        var ring = TestSealing.Ring(1);

        Assert.True(file.TryCreate(ring));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(file.Folder));
        Assert.Null(file.FindLoosePermissions());
        Assert.Equal(ring.Active.Material, file.Read().Active.Material);
        Assert.Single(Directory.GetFiles(file.Folder));
    }

    [Fact]
    public void TryCreate_FileExists_LeavesItUntouched()
    {
        var file = new KeyRingFile(_temp.Data.KeyRingFile);
        var original = TestSealing.Ring(1);
        file.TryCreate(original);

        Assert.False(file.TryCreate(TestSealing.Ring(1)));

        Assert.Equal(original.Active.Material, file.Read().Active.Material);
        Assert.Single(Directory.GetFiles(file.Folder));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead, null)]
    [InlineData(UnixFileMode.OtherRead, null)]
    [InlineData(null, UnixFileMode.GroupRead | UnixFileMode.GroupExecute)]
    [InlineData(null, UnixFileMode.OtherExecute)]
    public void FindLoosePermissions_GroupOrOthersHaveAccess_SaysHowToFixIt(UnixFileMode? extraOnFile, UnixFileMode? extraOnFolder)
    {
        var file = new KeyRingFile(_temp.Data.KeyRingFile);
        file.TryCreate(TestSealing.Ring(1));
        File.SetUnixFileMode(file.Path, File.GetUnixFileMode(file.Path) | (extraOnFile ?? 0));
        File.SetUnixFileMode(file.Folder, File.GetUnixFileMode(file.Folder) | (extraOnFolder ?? 0));

        var problem = file.FindLoosePermissions();

        Assert.NotNull(problem);
        Assert.Contains($"chmod 600 {file.Path} && chmod 700 {file.Folder}", problem, StringComparison.Ordinal);
    }
}
