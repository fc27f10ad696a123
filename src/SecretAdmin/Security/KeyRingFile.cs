namespace SecretAdmin.Security;

/// <summary>
/// The key-ring file: JSON (<see cref="KeyRingJson"/>), mode 0600 inside a 0700 folder, never
/// in the database it protects.
/// </summary>
public sealed class KeyRingFile(string path) : OwnerOnlyKeyFile(path, "the key ring file")
{
    /// <exception cref="KeyRingFormatException">The file is not a valid key ring.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public KeyRing Read() => KeyRingJson.Parse(ReadText());

    /// <summary>
    /// Writes <paramref name="ring"/> as a new file (0600, folder 0700). Returns false, writing
    /// nothing, when a key-ring file already exists — it is never overwritten here.
    /// </summary>
    public bool TryCreate(KeyRing ring) => WriteText(KeyRingJson.Serialize(ring), overwrite: false);

    /// <summary>
    /// Replaces the file with <paramref name="ring"/> in one rename, so a reader sees the old ring
    /// or the new one, never half of either (a rotation or a retirement).
    /// </summary>
    public void Replace(KeyRing ring) => WriteText(KeyRingJson.Serialize(ring), overwrite: true);
}
