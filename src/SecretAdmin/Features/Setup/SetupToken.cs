using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace SecretAdmin.Features.Setup;

/// <summary>
/// The one-time token of the first-run setup link: 256 random bits, kept in memory only, valid
/// until the first administrator is created or the app restarts.
/// </summary>
public sealed class SetupToken
{
    private readonly Lock _lock = new();
    private byte[]? _token;

    public bool IsIssued
    {
        get
        {
            lock (_lock)
            {
                return _token is not null;
            }
        }
    }

    public string Issue()
    {
        var token = RandomNumberGenerator.GetBytes(32);
        lock (_lock)
        {
            _token = token;
        }

        return Base64Url.EncodeToString(token);
    }

    /// <summary>True when <paramref name="candidate"/> is the issued token (compared in constant time).</summary>
    public bool Matches(string? candidate)
    {
        byte[]? token;
        lock (_lock)
        {
            token = _token;
        }

        if (token is null || string.IsNullOrEmpty(candidate))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(token));
        var actual = Encoding.UTF8.GetBytes(candidate);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    public void Revoke()
    {
        lock (_lock)
        {
            _token = null;
        }
    }
}
