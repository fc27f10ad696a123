using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>Where the key ring is kept: the key-ring file in the data folder, or the environment variable (read-only here).</summary>
public sealed class KeyRingSource(IOptions<SealingOptions> options, DataDirectory dataDirectory)
{
    public bool FromEnvironment => !string.IsNullOrWhiteSpace(options.Value.KeyRing);

    public KeyRingFile File { get; } = new(dataDirectory.KeyRingFile);

    /// <summary>The stored ring as it is now (another process may have rotated it).</summary>
    public KeyRing Read() => FromEnvironment ? KeyRingJson.Parse(options.Value.KeyRing!) : File.Read();
}
