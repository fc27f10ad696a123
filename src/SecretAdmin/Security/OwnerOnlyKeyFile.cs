namespace SecretAdmin.Security;

/// <summary>
/// A file that holds key material: mode 0600 inside a 0700 folder, written whole in one rename
/// (a reader sees the old content or the new, never half), never in the database it protects.
/// </summary>
public class OwnerOnlyKeyFile(string path, string description)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Folder => System.IO.Path.GetDirectoryName(Path)!;

    public bool Exists => File.Exists(Path);

    /// <summary>When the file was last replaced, to notice a change made by another process.</summary>
    public DateTime LastWriteUtc => File.GetLastWriteTimeUtc(Path);

    /// <summary>
    /// A sentence saying how the file or its folder is open to group or others and how to fix it,
    /// or null when both are the owner's alone.
    /// </summary>
    public string? FindLoosePermissions()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var fileMode = File.GetUnixFileMode(Path);
        var folderMode = File.GetUnixFileMode(Folder);
        if ((fileMode & OwnerOnlyFile.GroupOrOthers) == 0 && (folderMode & OwnerOnlyFile.GroupOrOthers) == 0)
        {
            return null;
        }

        return $"{description} {Path} (mode {OwnerOnlyFile.Octal(fileMode)}) or its folder (mode {OwnerOnlyFile.Octal(folderMode)}) is open to group or others; " +
               $"make them the owner's alone with `chmod 600 {Path} && chmod 700 {Folder}`, then start again";
    }

    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    protected string ReadText() => File.ReadAllText(Path);

    /// <summary>
    /// Writes <paramref name="content"/> (0600, folder 0700), replacing the file in one rename when
    /// <paramref name="overwrite"/>; otherwise returns false, writing nothing, when the file exists.
    /// </summary>
    protected bool WriteText(string content, bool overwrite)
    {
        OwnerOnlyFolder.Create(Folder);
        var temporary = System.IO.Path.Combine(Folder, $".{System.IO.Path.GetFileName(Path)}-{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile.Mode;
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(content);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temporary, Path, overwrite);
                return true;
            }
            catch (IOException) when (!overwrite && File.Exists(Path))
            {
                return false;
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
