using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Settings;
using SecretAdmin.Security;

namespace SecretAdmin.Hosting;

/// <summary>
/// What runs before the web app serves or a command acts: create the data folder, migrate the
/// database, load the keys — failing closed when the master key cannot open the data keys the
/// database holds —
/// and bind any secret sealed before destination binding to its destination.
/// </summary>
public sealed class SecretAdminStartup(
    DataDirectory dataDirectory,
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    IDatabaseEngine engine,
    KeyCustody keyCustody,
    SecretSealer sealer,
    IEnumerable<IDestinationBoundSecret> destinationBoundSecrets,
    ILogger<SecretAdminStartup> logger)
{
    private readonly SemaphoreSlim _once = new(1, 1);
    private bool _prepared;

    /// <summary>Prepares once; later calls return at once.</summary>
    /// <param name="withoutKeys">
    /// For the commands that report on the keys (<c>keys verify</c>, <c>health</c>): when the keys cannot
    /// be loaded, go on with every seal and open refused, saying why, instead of refusing to start.
    /// </param>
    /// <exception cref="StartupRefusedException">Start-up cannot go on; the message says why and what to do.</exception>
    public async Task PrepareAsync(CancellationToken cancellationToken, bool withoutKeys = false)
    {
        await _once.WaitAsync(cancellationToken);
        try
        {
            if (_prepared)
            {
                return;
            }

            foreach (var (file, formerMode) in engine.EnsureCreated())
            {
                logger.LogWarning(
                    "Made {DatabaseFile} the owner's alone: its mode was {FormerMode}, open to group or others (as an earlier version created it), and is {Mode} now.",
                    file,
                    OwnerOnlyFile.Octal(formerMode),
                    OwnerOnlyFile.Octal(formerMode & ~OwnerOnlyFile.GroupOrOthers));
            }

            WarnOfFormerDataProtectionKeys();
            var census = await MigrateAndCountAsync(cancellationToken);
            try
            {
                await keyCustody.LoadAsync(census, cancellationToken);
            }
            catch (KeyCustodyException e) when (withoutKeys)
            {
                keyCustody.Suspend($"the keys cannot be loaded: {e.Message}");
                logger.LogError("SecretAdmin cannot load its keys: {Reason}", e.Message);
            }
            catch (KeyCustodyException e)
            {
                throw new StartupRefusedException($"SecretAdmin cannot start: {e.Message}");
            }

            if (sealer.IsLoaded)
            {
                foreach (var secret in destinationBoundSecrets)
                {
                    await secret.BindToDestinationAsync(cancellationToken);
                }
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
            await engine.MigrateAsync(db, cancellationToken);
            return await SealedValueCensus.TakeAsync(db, cancellationToken);
        }
        catch (Exception e) when (engine.ReasonUnavailable(e) is { } reason)
        {
            throw new StartupRefusedException(
                $"SecretAdmin cannot start: the {engine.Name} database {engine.Location} cannot be opened or migrated ({reason}). " +
                "Check that it is reachable and its permissions, or restore it from a backup and run `SecretAdmin keys verify` afterwards.");
        }
    }
}
