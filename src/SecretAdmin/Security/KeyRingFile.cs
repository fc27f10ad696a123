namespace SecretAdmin.Security;

/// <summary>
/// The key-ring file: JSON (<see cref="KeyRingJson"/>), mode 0600 inside a 0700 folder, never
/// in the database it protects.
/// </summary>
public sealed class KeyRingFile(string path)
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Folder => System.IO.Path.GetDirectoryName(Path)!;

    public bool Exists => File.Exists(Path);

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
        if ((fileMode & GroupOrOthers) == 0 && (folderMode & GroupOrOthers) == 0)
        {
            return null;
        }

        return $"the key ring file {Path} (mode {Octal(fileMode)}) or its folder (mode {Octal(folderMode)}) is open to group or others; " +
               $"make them the owner's alone with `chmod 600 {Path} && chmod 700 {Folder}`, then start again";
    }

    /// <exception cref="KeyRingFormatException">The file is not a valid key ring.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public KeyRing Read() => KeyRingJson.Parse(File.ReadAllText(Path));

    /// <summary>
    /// Writes <paramref name="ring"/> as a new file (0600, folder 0700). Returns false, writing
    /// nothing, when a key-ring file already exists — it is never overwritten here.
    /// </summary>
    public bool TryCreate(KeyRing ring) => Write(ring, overwrite: false);

    /// <summary>
    /// Replaces the file with <paramref name="ring"/> in one rename, so a reader sees the old ring
    /// or the new one, never half of either (a rotation or a retirement).
    /// </summary>
    public void Replace(KeyRing ring) => Write(ring, overwrite: true);

    /// <summary>When the file was last replaced, to notice a change made by another process.</summary>
    public DateTime LastWriteUtc => File.GetLastWriteTimeUtc(Path);

    private bool Write(KeyRing ring, bool overwrite)
    {
        OwnerOnlyFolder.Create(Folder);
        var temporary = System.IO.Path.Combine(Folder, $".keyring-{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerReadWrite;
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(KeyRingJson.Serialize(ring));
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

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
}
