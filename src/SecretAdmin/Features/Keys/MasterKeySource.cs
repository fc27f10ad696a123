using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

public enum MasterKeySourceKind
{
    File,
    Environment,
    Pkcs11,
}

/// <summary>
/// The one place that decides where the master key is — the master key file (the default), the
/// environment, or a PKCS#11 token — and opens, creates or replaces it there. Start-up, the
/// re-loader, health and the commands all ask it; none decides for itself.
/// </summary>
public sealed class MasterKeySource
{
    private const string Prefix = "aes";

    private readonly MasterKeyOptions _options;
    private readonly IPkcs11MasterKeys _pkcs11;
    private FileStream? _rotation;

    public MasterKeySource(IOptions<MasterKeyOptions> options, DataDirectory dataDirectory, IPkcs11MasterKeys pkcs11)
    {
        _options = options.Value;
        _pkcs11 = pkcs11;
        File = new MasterKeyFile(dataDirectory.MasterKeyFile);
        (Kind, Problem) = Decide(_options);
        Description = Kind switch
        {
            MasterKeySourceKind.Environment => $"the environment variable {MasterKeyOptions.ValueVariable}",
            MasterKeySourceKind.Pkcs11 => $"the PKCS#11 token '{_options.Pkcs11.TokenLabel}' (module {_options.Pkcs11.Module})",
            _ => $"the master key file {File.Path}",
        };
    }

    public MasterKeySourceKind Kind { get; }

    /// <summary>Where the master key is, for messages: "the master key file /srv/data/keys/master.key".</summary>
    public string Description { get; }

    /// <summary>Why the settings name no usable source (say what to set), or null when they do.</summary>
    public string? Problem { get; }

    public MasterKeyFile File { get; }

    /// <summary>
    /// The master key at the source, or null when the source holds none yet. <paramref name="wrappedBy"/>
    /// is the id the database's keys name (null when it holds none): a token may hold several keys, and
    /// a rotation of the file that stopped after its commit is finished here.
    /// </summary>
    /// <exception cref="MasterKeyUnavailableException">The source cannot be read; the message says why and what to do.</exception>
    public IMasterKey? Open(string? wrappedBy)
    {
        ThrowIfProblem();
        switch (Kind)
        {
            case MasterKeySourceKind.Environment:
                return FromText(_options.Value!, Description);
            case MasterKeySourceKind.Pkcs11:
                return _pkcs11.Open(_options.Pkcs11, wrappedBy is not null && wrappedBy.StartsWith("pkcs11:", StringComparison.Ordinal) ? wrappedBy : null);
        }

        if (!File.Exists)
        {
            return null;
        }

        if (File.FindLoosePermissions() is { } loose)
        {
            throw new MasterKeyUnavailableException(loose);
        }

        var key = FromFile(File);
        var next = File.Next;
        if (wrappedBy is null || !next.Exists)
        {
            return key;
        }

        using var rotation = TryLockRotation();
        if (rotation is null)
        {
            // Another process is rotating: its next key is its own until it has put it in place.
            return key.Id == wrappedBy ? key : NextIfItWraps(key, next, wrappedBy);
        }

        if (key.Id == wrappedBy)
        {
            // A next key beside the one in use, with no rotation under way, is one that stopped before its commit: not needed.
            next.Delete();
            return key;
        }

        // A rotation committed its re-wrap but stopped before the next key took the file's place.
        var nextKey = NextIfItWraps(key, next, wrappedBy);
        if (ReferenceEquals(nextKey, key))
        {
            return key;
        }

        nextKey.Dispose();
        next.MoveOver(File);
        return new AesMasterKey(File.Read(), Prefix, Description);
    }

    /// <summary>The next key when it is the one the database's keys are wrapped by; else <paramref name="key"/>.</summary>
    private static IMasterKey NextIfItWraps(AesMasterKey key, MasterKeyFile next, string wrappedBy)
    {
        var nextKey = FromFile(next);
        if (nextKey.Id != wrappedBy)
        {
            nextKey.Dispose();
            return key;
        }

        key.Dispose();
        return nextKey;
    }

    /// <summary>
    /// A new master key at the source, for a database that holds no wrapped keys: a new file (or the
    /// one another process just created), the environment's key, or a key generated on the token.
    /// </summary>
    /// <exception cref="MasterKeyUnavailableException">The source cannot be written or read.</exception>
    public IMasterKey Create()
    {
        ThrowIfProblem();
        switch (Kind)
        {
            case MasterKeySourceKind.Environment:
                return FromText(_options.Value!, Description);
            case MasterKeySourceKind.Pkcs11:
                return _pkcs11.Generate(_options.Pkcs11);
        }

        try
        {
            File.TryCreate();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MasterKeyUnavailableException($"{Description} cannot be created ({e.Message}); check the data folder's owner and permissions");
        }

        return FromFile(File);
    }

    /// <summary>
    /// The key a master-key rotation moves to: a new file beside the current one, the key in
    /// <see cref="MasterKeyOptions.NextValueVariable"/>, or a new key on the token. Nothing that is
    /// in use is replaced until <see cref="Complete"/>. With <paramref name="target"/> <see cref="MasterKeySourceKind.Pkcs11"/>,
    /// the new key is generated on the configured token whatever the source is now: the move into an HSM.
    /// </summary>
    public IMasterKey PrepareNext(MasterKeySourceKind? target = null)
    {
        ThrowIfProblem();
        if (target is { } to && to != Kind)
        {
            if (to != MasterKeySourceKind.Pkcs11)
            {
                throw new MasterKeyUnavailableException($"a master key can be moved into a PKCS#11 token only; set {MasterKeyOptions.Section}:Source to move it anywhere else and restore the key there");
            }

            if (MissingPkcs11Setting(_options.Pkcs11) is { } missing)
            {
                throw new MasterKeyUnavailableException($"to move the master key into a PKCS#11 token, set {MasterKeyOptions.Section}:Pkcs11:{missing}");
            }

            return _pkcs11.Generate(_options.Pkcs11);
        }

        switch (Kind)
        {
            case MasterKeySourceKind.Environment:
                if (string.IsNullOrWhiteSpace(_options.NextValue))
                {
                    throw new MasterKeyUnavailableException(
                        $"The master key comes from {MasterKeyOptions.ValueVariable}: set {MasterKeyOptions.NextValueVariable} to the new key " +
                        "(for example from `openssl rand -base64 32`) for this command, then run it again");
                }

                return FromText(_options.NextValue, $"the environment variable {MasterKeyOptions.NextValueVariable}");
            case MasterKeySourceKind.Pkcs11:
                return _pkcs11.Generate(_options.Pkcs11);
        }

        var next = File.Next;
        _rotation = TryLockRotation() ?? throw new MasterKeyUnavailableException(
            $"another `keys rotate-master` is under way: it holds the next master key {next.Path} until its commit; run it again when that one has finished");
        try
        {
            next.Delete();
            next.TryCreate();
            return FromFile(next);
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    /// <summary>
    /// After the database's keys are wrapped by <paramref name="next"/>: it takes the place of
    /// <paramref name="previous"/>. After a move into a token the old source is left as it is: it
    /// opens nothing now, and the settings must name the token before the next start.
    /// </summary>
    public void Complete(IMasterKey previous, IMasterKey next, MasterKeySourceKind? target = null)
    {
        if (target is { } to && to != Kind)
        {
            return;
        }

        switch (Kind)
        {
            case MasterKeySourceKind.File:
                File.Next.MoveOver(File);
                Abandon();
                break;
            case MasterKeySourceKind.Pkcs11:
                _pkcs11.Destroy(_options.Pkcs11, previous.Id);
                break;
        }
    }

    /// <summary>Ends a rotation of the file that will not complete (its re-wrap failed): other processes may clear its next key again.</summary>
    public void Abandon() => Interlocked.Exchange(ref _rotation, null)?.Dispose();

    /// <summary>
    /// The lock a rotation of the file holds from preparing its next key until that key is in place
    /// (an advisory lock the system drops when the process ends, however it ends), or null when
    /// another process holds it. A start clears or finishes a rotation's next key only while it
    /// holds it, so it never takes the next key of a rotation still under way for a leftover.
    /// </summary>
    private FileStream? TryLockRotation()
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile.Mode;
            }

            return new FileStream(File.Path + ".rotating", options);
        }
        catch (IOException) when (System.IO.File.Exists(File.Path + ".rotating"))
        {
            return null;
        }
    }

    private static (MasterKeySourceKind Kind, string? Problem) Decide(MasterKeyOptions options)
    {
        var source = options.Source?.Trim();
        if (string.IsNullOrEmpty(source))
        {
            return string.IsNullOrWhiteSpace(options.Value) ? (MasterKeySourceKind.File, null) : (MasterKeySourceKind.Environment, null);
        }

        return source.ToLowerInvariant() switch
        {
            "file" => (MasterKeySourceKind.File, null),
            "environment" => (MasterKeySourceKind.Environment, string.IsNullOrWhiteSpace(options.Value)
                ? $"{MasterKeyOptions.Section}:Source is environment, but {MasterKeyOptions.ValueVariable} is not set; set it to the master key (base64 of 32 bytes)"
                : null),
            "pkcs11" => (MasterKeySourceKind.Pkcs11, MissingPkcs11Setting(options.Pkcs11) is { } missing
                ? $"{MasterKeyOptions.Section}:Source is pkcs11, but {MasterKeyOptions.Section}:Pkcs11:{missing} is not set"
                : null),
            _ => (MasterKeySourceKind.File, $"{MasterKeyOptions.Section}:Source is '{source}'; it must be file, environment or pkcs11"),
        };
    }

    private static string? MissingPkcs11Setting(Pkcs11MasterKeyOptions options) =>
        string.IsNullOrWhiteSpace(options.Module) ? nameof(options.Module)
        : string.IsNullOrWhiteSpace(options.TokenLabel) ? nameof(options.TokenLabel)
        : string.IsNullOrEmpty(options.Pin) ? $"{nameof(options.Pin)} (environment SecretAdmin__Sealing__MasterKey__Pkcs11__Pin)"
        : null;

    private void ThrowIfProblem()
    {
        if (Problem is not null)
        {
            throw new MasterKeyUnavailableException(Problem);
        }
    }

    private static AesMasterKey FromText(string text, string source)
    {
        try
        {
            return new AesMasterKey(MasterKeyFile.Decode(text.Trim(), source), Prefix, source);
        }
        catch (InvalidDataException e)
        {
            throw new MasterKeyUnavailableException(e.Message);
        }
    }

    private static AesMasterKey FromFile(MasterKeyFile file)
    {
        try
        {
            return new AesMasterKey(file.Read(), Prefix, $"the master key file {file.Path}");
        }
        catch (InvalidDataException e)
        {
            throw new MasterKeyUnavailableException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MasterKeyUnavailableException($"the master key file {file.Path} cannot be read ({e.Message})");
        }
    }
}
