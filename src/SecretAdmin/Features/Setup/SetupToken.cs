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

    public bool IsIssued => Current is not null;

    /// <summary>The issued token, as printed in the link; null when none is valid.</summary>
    internal string? Current
    {
        get
        {
            lock (_lock)
            {
                return _token is null ? null : Base64Url.EncodeToString(_token);
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
