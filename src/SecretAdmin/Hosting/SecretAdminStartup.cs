using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Hosting;

/// <summary>
/// What runs before the web app serves or a command acts: create the data folder, migrate the
/// database, load the key ring — failing closed when it cannot open what the database holds —
/// and bind any secret sealed before destination binding to its destination.
/// </summary>
public sealed class SecretAdminStartup(
    DataDirectory dataDirectory,
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    IOptions<SealingOptions> sealingOptions,
    SecretSealer sealer,
    IEnumerable<IDestinationBoundSecret> destinationBoundSecrets,
    TimeProvider timeProvider,
    ILogger<SecretAdminStartup> logger)
{
    private const string WhatToDo =
        $"Restore keyring.json from your key-ring backup (file mode 0600, folder 0700), or set {SealingOptions.KeyRingVariable} to its content, then start again.";

    private readonly SemaphoreSlim _once = new(1, 1);
    private bool _prepared;

    /// <summary>Prepares once; later calls return at once.</summary>
    /// <exception cref="StartupRefusedException">Start-up cannot go on; the message says why and what to do.</exception>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await _once.WaitAsync(cancellationToken);
        try
        {
            if (_prepared)
            {
                return;
            }

            foreach (var (file, formerMode) in dataDirectory.EnsureCreated())
            {
                logger.LogWarning(
                    "Made {DatabaseFile} the owner's alone: its mode was {FormerMode}, open to group or others (as an earlier version created it), and is {Mode} now.",
                    file,
                    OwnerOnlyFile.Octal(formerMode),
                    OwnerOnlyFile.Octal(formerMode & ~OwnerOnlyFile.GroupOrOthers));
            }

            WarnOfFormerDataProtectionKeys();
            var census = await MigrateAndCountAsync(cancellationToken);
            sealer.Use(LoadKeyRing(census));
            foreach (var secret in destinationBoundSecrets)
            {
                await secret.BindToDestinationAsync(cancellationToken);
            }

            _prepared = true;
        }
        finally
        {
            _once.Release();
        }
    }

    private void WarnOfFormerDataProtectionKeys()
    {
        if (Directory.Exists(dataDirectory.FormerDataProtectionKeysFolder))
        {
            logger.LogWarning(
                "The folder {FormerDataProtectionKeysFolder} holds session keys of an earlier version, which are no longer used: session keys are now kept in the database, " +
                "encrypted with the master key. People signed in before the upgrade sign in again once. The folder's keys are not encrypted; delete the folder.",
                dataDirectory.FormerDataProtectionKeysFolder);
        }
    }

    private async Task<SealedValueCensus> MigrateAndCountAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
            await SqliteMigrationGate.MigrateAsync(db, dataDirectory.DatabaseFile, cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
            return await SealedValueCensus.TakeAsync(db, cancellationToken);
        }
        catch (SqliteException e)
        {
            throw new StartupRefusedException(
                $"SecretAdmin cannot start: the database {dataDirectory.DatabaseFile} cannot be opened or migrated ({e.Message}). " +
                "Check the file and its permissions, or restore it from a backup and run `SecretAdmin keys verify` afterwards.");
        }
    }

    private KeyRing LoadKeyRing(SealedValueCensus census)
    {
        var fromEnvironment = sealingOptions.Value.KeyRing;
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Check(Parse(() => KeyRingJson.Parse(fromEnvironment), $"the environment variable {SealingOptions.KeyRingVariable}", census), $"the environment variable {SealingOptions.KeyRingVariable}", census);
        }

        var file = new KeyRingFile(dataDirectory.KeyRingFile);
        if (!file.Exists)
        {
            return CreateKeyRing(file, census);
        }

        if (file.FindLoosePermissions() is { } loose)
        {
            throw new StartupRefusedException($"SecretAdmin cannot start: {loose}.");
        }

        return Check(Parse(file.Read, $"the key ring file {file.Path}", census), $"the key ring file {file.Path}", census);
    }

    private KeyRing CreateKeyRing(KeyRingFile file, SealedValueCensus census)
    {
        if (census.Total > 0)
        {
            throw new StartupRefusedException(
                $"SecretAdmin cannot start: the key ring file {file.Path} does not exist, but the database {dataDirectory.DatabaseFile} " +
                $"holds {census.Total} sealed values under key ids {Ids(census.KeyIds)}, which are missing. " +
                $"A new key ring would not open them, so none was created. {WhatToDo}");
        }

        var ring = KeyRing.CreateNew(timeProvider.GetUtcNow());
        if (file.TryCreate(ring))
        {
            logger.LogWarning(
                "Created a new key ring at {KeyRingFile} with key {KeyId}. Back it up now, apart from the database: without it no sealed value can be opened.",
                file.Path,
                ring.Active.Id);
            return ring;
        }

        // Another instance created it between our check and our write: use theirs.
        return Check(Parse(file.Read, $"the key ring file {file.Path}", census), $"the key ring file {file.Path}", census);
    }

    private static KeyRing Parse(Func<KeyRing> read, string source, SealedValueCensus census)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is KeyRingFormatException or IOException or UnauthorizedAccessException)
        {
            var reason = e is KeyRingFormatException ? $"is not valid: {e.Message}" : $"cannot be read: {e.Message}";
            var references = census.Total > 0
                ? $" The database holds {census.Total} sealed values under key ids {Ids(census.KeyIds)}, which are missing until it is fixed."
                : string.Empty;
            throw new StartupRefusedException($"SecretAdmin cannot start: {source} {reason}.{references} {WhatToDo}");
        }
    }

    private KeyRing Check(KeyRing ring, string source, SealedValueCensus census)
    {
        var missing = census.KeyIds.Where(id => !ring.TryGetKey(id, out _)).ToArray();
        if (missing.Length > 0)
        {
            var count = missing.Sum(census.CountFor);
            throw new StartupRefusedException(
                $"SecretAdmin cannot start: {source} holds keys {Ids(ring.Keys.Select(k => k.Id))}, but {count} sealed values in the database " +
                $"use key ids {Ids(missing)}, which are missing from it. Restore the key ring that holds them from your key-ring backup " +
                $"(file mode 0600, folder 0700), or set {SealingOptions.KeyRingVariable} to its content, then start again.");
        }

        logger.LogInformation("Key ring loaded from {KeyRingSource}: keys {KeyIds}, active key {ActiveKeyId}.", source, Ids(ring.Keys.Select(k => k.Id)), ring.Active.Id);
        return ring;
    }

    private static string Ids(IEnumerable<int> ids) => string.Join(", ", ids);
}
