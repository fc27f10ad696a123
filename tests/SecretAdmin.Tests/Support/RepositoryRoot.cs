namespace SecretAdmin.Tests.Support;

public static class RepositoryRoot
{
    /// <summary>The folder holding SecretAdmin.sln, found upwards from the test assembly.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "SecretAdmin.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"SecretAdmin.sln was not found above {AppContext.BaseDirectory}.");
    }
}
