using System.Security.Cryptography;

namespace SecretAdmin.Security;

/// <summary>
/// The master key file: one line, the base64 of 32 random bytes; mode 0600 inside a 0700 folder,
/// never in the database. During a master-key rotation the next key waits beside it in
/// <c>master.key.next</c> until the database's keys are wrapped by it.
/// </summary>
public sealed class MasterKeyFile(string path) : OwnerOnlyKeyFile(path, "the master key file")
{
    /// <summary>Where the next master key waits during a rotation.</summary>
    public MasterKeyFile Next => new(Path + ".next");

    /// <exception cref="InvalidDataException">The file does not hold a master key; the message says why, without its content.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public byte[] Read() => Decode(ReadText().Trim(), $"the master key file {Path}");

    /// <summary>Writes a new random master key as a new file; false, writing nothing, when the file exists.</summary>
    public bool TryCreate() => WriteText(Convert.ToBase64String(RandomNumberGenerator.GetBytes(AesMasterKey.SizeInBytes)) + "\n", overwrite: false);

    /// <summary>Puts this file in the place of <paramref name="target"/> in one rename.</summary>
    public void MoveOver(MasterKeyFile target) => File.Move(Path, target.Path, overwrite: true);

    public void Delete() => File.Delete(Path);

    /// <summary>A master key from its base64 text (the file's line or the environment variable).</summary>
    /// <exception cref="InvalidDataException">The text is not the base64 of 32 bytes.</exception>
    public static byte[] Decode(string text, string source)
    {
        var key = new byte[AesMasterKey.SizeInBytes];
        if (!Convert.TryFromBase64String(text, key, out var length) || length != AesMasterKey.SizeInBytes)
        {
            throw new InvalidDataException($"{source} does not hold a master key: it must be the base64 of {AesMasterKey.SizeInBytes} bytes (for example from `openssl rand -base64 32`)");
        }

        return key;
    }
}
