using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Mail;
using SecretAdmin.Features.Nodes;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// Custody of the two key levels: the master key at its source (<see cref="MasterKeySource"/>) and
/// the data keys it wraps in the database (<see cref="DataKeyStore"/>). Loads them at start — failing
/// closed when the master key cannot open what the database holds — follows changes other processes
/// make, and rotates, retires and re-wraps. The sealed values themselves are the re-seal engine's
/// (<see cref="SealedValueService"/>).
/// </summary>
public sealed class KeyCustody(
    MasterKeySource source,
    DataKeyStore store,
    LoadedMasterKey loadedMasterKey,
    SecretSealer sealer,
    DataDirectory dataDirectory,
    IOptions<SealingOptions> sealingOptions,
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    AuditLog auditLog,
    MailOutbox outbox,
    ILogger<KeyCustody> logger,
    ISealAllowance allowance,
    NodeChanges nodeChanges)
{
    private const string Restore = "Restore the master key from your backup (see README, \"Keys\"), then start again; no new master key was made, as it would open nothing.";

    private readonly Lock _lock = new();
    private IReadOnlyDictionary<int, byte[]> _loaded = new Dictionary<int, byte[]>();

    /// <summary>What the keys page and health show of the master key: where it is and its id, or why it is unavailable.</summary>
    public MasterKeyInfo MasterKey => new(source.Kind, source.Description, loadedMasterKey.IsAvailable ? loadedMasterKey.Current.Id : null, loadedMasterKey.Unavailable);

    /// <summary>
    /// For a master key from the file: the file is gone or open to others (the next start would fail),
    /// or null when it is as it should be.
    /// </summary>
    public string? MasterKeyFileProblem() =>
        !source.File.Exists ? "the master key file is missing: restore it before the next restart"
        : source.File.FindLoosePermissions() is not null ? "the master key file is open to group or others"
        : null;

    /// <summary>Why the data keys in the database were not taken up by the last reload, or null.</summary>
    public string? ReloadProblem { get; private set; }

    /// <summary>
    /// At start: opens the master key, converts a key ring of an earlier version, creates the first
    /// keys of a new installation, and loads the data keys into the sealer.
    /// </summary>
    /// <exception cref="KeyCustodyException">The keys cannot be loaded; the message says why and what to do.</exception>
    public async Task LoadAsync(SealedValueCensus census, CancellationToken cancellationToken)
    {
        if (source.Problem is { } problem)
        {
            throw new KeyCustodyException(Sentence(problem));
        }

        var legacy = ReadLegacyKeyRing();
        var keys = await store.ReadAllAsync(cancellationToken);
        if (keys.Count == 0)
        {
            if (legacy is not null)
            {
                await ConvertAsync(legacy.Value.Ring, legacy.Value.Source, cancellationToken);
            }
            else if (census.Total > 0)
            {
                throw new KeyCustodyException(
                    $"the database {dataDirectory.DatabaseFile} holds {census.Total} sealed values under data key ids {Ids(census.KeyIds)}, " +
                    "but no data keys, and there is no key ring of an earlier version to convert. No new keys were made, as they would open nothing. " +
                    $"Restore the database from a backup, or put the key ring of the earlier version back at {dataDirectory.KeyRingFile} to have it converted, then start again.");
            }
            else
            {
                CreateFirstKeys();
            }

            keys = await store.ReadAllAsync(cancellationToken);
        }

        var master = OpenMasterFor(keys);
        var ring = Unwrap(keys, master);
        if (legacy is not null)
        {
            FinishConversion(legacy.Value.Ring, legacy.Value.Source, ring);
        }

        Use(master, ring, keys);
        var missing = census.KeyIds.Where(id => !ring.TryGetKey(id, out _)).ToArray();
        if (missing.Length > 0)
        {
            logger.LogWarning(
                "{Count} stored value(s) name data key ids {KeyIds}, which the database does not hold: they cannot be opened. `SecretAdmin keys verify` lists them; save each again to replace it.",
                missing.Sum(census.CountFor),
                Ids(missing));
        }

        logger.LogInformation("Keys loaded: master key {MasterKeyId} from {Source}; data keys {KeyIds}, active {ActiveKeyId}.", master.Id, source.Description, Ids(ring.Keys.Select(k => k.Id)), ring.Active.Id);
    }

    /// <summary>
    /// Takes up what other processes changed (a rotation, a retirement, a master-key rotation) and
    /// checks the master key still answers. A data key that does not open, or that opens to other
    /// material than the loaded key of its id, is refused: the keys in use stay.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var keys = await store.ReadAllAsync(cancellationToken);
        if (keys.Count == 0)
        {
            ReloadProblem = "the database holds no data keys any more; the keys in use stay until restart";
            return;
        }

        IMasterKey master;
        try
        {
            var wrappedBy = keys[^1].MasterKeyId;
            master = loadedMasterKey.IsAvailable && loadedMasterKey.Current.Id == wrappedBy
                ? loadedMasterKey.Current
                : OpenMasterFor(keys);

            // The probe reaches the master key itself (for a token, the token): a key removed fails here.
            var probe = master.Unwrap(keys[^1].Wrapped, DataKeyStore.AssociatedData(keys[^1].Id));
            if (probe is not null)
            {
                CryptographicOperations.ZeroMemory(probe);
            }
        }
        catch (Exception e) when (e is MasterKeyUnavailableException or KeyCustodyException)
        {
            if (loadedMasterKey.IsAvailable || sealer.IsLoaded)
            {
                logger.LogError("The master key stopped answering: {Reason} No secret is sealed or opened until it is back.", Sentence(e.Message));
            }

            Suspend($"the master key is unavailable: {e.Message.TrimEnd().TrimEnd('.')}");
            return;
        }

        lock (_lock)
        {
            if (sealer.IsLoaded && loadedMasterKey.IsAvailable && Same(_loaded, keys))
            {
                ReloadProblem = null;
                return;
            }
        }

        try
        {
            var ring = Unwrap(keys, master);
            if (sealer.IsLoaded)
            {
                var changed = sealer.KeyRing.Keys.Where(k => ring.TryGetKey(k.Id, out var now) && !CryptographicOperations.FixedTimeEquals(now.Material, k.Material)).Select(k => k.Id).ToArray();
                if (changed.Length > 0)
                {
                    throw new KeyCustodyException($"data key(s) {Ids(changed)} in the database open to other key material than the key(s) of the same id in use; the database was altered or replaced");
                }
            }

            var wasSuspended = !sealer.IsLoaded;
            Use(master, ring, keys);
            ReloadProblem = null;
            logger.LogInformation(wasSuspended ? "The master key answers again; keys loaded: data keys {KeyIds}, active {ActiveKeyId}." : "Data keys changed in the database; now {KeyIds}, active {ActiveKeyId}.", Ids(ring.Keys.Select(k => k.Id)), ring.Active.Id);
        }
        catch (KeyCustodyException e)
        {
            if (ReloadProblem != e.Message)
            {
                logger.LogError("The data keys in the database were not taken up: {Reason}. The keys in use stay.", e.Message);
            }

            ReloadProblem = e.Message;
        }
    }

    /// <summary>
    /// Fails closed: drops the master key and the data keys, so every seal and open is refused with
    /// <paramref name="reason"/> until a reload finds the master key answering again.
    /// </summary>
    public void Suspend(string reason)
    {
        lock (_lock)
        {
            sealer.Suspend(reason);
            loadedMasterKey.MarkUnavailable(reason);
            _loaded = new Dictionary<int, byte[]>();
        }
    }

    /// <summary>The data keys, how many stored values each seals and how many seals each has made, with ids values name that the database lacks.</summary>
    public async Task<IReadOnlyList<KeyInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var census = await SealedValueCensus.TakeAsync(db, cancellationToken);
        var keys = await db.DataKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);
        var active = keys.Count == 0 ? 0 : keys[^1].Id;
        var held = keys.Select(k => new KeyInfo(k.Id, new DateTimeOffset(k.CreatedAtUtc, TimeSpan.Zero), k.Id == active, InDatabase: true, census.CountFor(k.Id), k.Seals));
        var missing = census.KeyIds.Where(id => keys.All(k => k.Id != id)).Select(id => new KeyInfo(id, null, Active: false, InDatabase: false, census.CountFor(id), 0));
        return [.. held.Concat(missing).OrderBy(k => k.Id)];
    }

    /// <summary>Adds a data key and makes it active. Every process takes it up at its next read of the keys; older keys stay to open what they sealed.</summary>
    /// <exception cref="MasterKeyUnavailableException">The master key is unavailable.</exception>
    public async Task<RotationResult> RotateAsync(AuditActor actor, CancellationToken cancellationToken = default)
    {
        var key = store.Add(loadedMasterKey.Current)!;
        await ReloadAsync(cancellationToken);
        await PublishKeysChangedAsync(cancellationToken);

        // The key is committed by the store; its audit entry and the administrators' notices are saved together.
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        auditLog.Add(db, actor, AuditActions.KeysRotated, $"data key {key.Id} active");
        await outbox.AddToAdministratorsAsync(db, admin => SecurityNotices.KeyRotated(admin, key.CreatedAtUtc, key.Id), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return new RotationResult(key.Id);
    }

    /// <summary>Removes a data key; refused while it is active or any stored value is sealed with it.</summary>
    public async Task<KeyChangeResult> RetireAsync(AuditActor actor, int keyId, CancellationToken cancellationToken = default)
    {
        var keys = await store.ReadAllAsync(cancellationToken);
        if (keys.All(k => k.Id != keyId))
        {
            return new(false, $"Data key {keyId} is not in the database.");
        }

        if (keys[^1].Id == keyId)
        {
            return new(false, $"Data key {keyId} is the active key. Rotate first, re-seal, then retire it.");
        }

        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var inUse = (await SealedValueCensus.TakeAsync(db, cancellationToken)).CountFor(keyId);
        if (inUse > 0)
        {
            return new(false, $"Data key {keyId} still seals {inUse} stored value(s). Re-seal them under the active key first, then retire it.");
        }

        await store.DeleteAsync(keyId, cancellationToken);
        await ReloadAsync(cancellationToken);
        await PublishKeysChangedAsync(cancellationToken);
        await auditLog.WriteAsync(actor, AuditActions.KeyRetired, $"data key {keyId}", cancellationToken: cancellationToken);
        return new(true, $"Data key {keyId} is retired.");
    }

    /// <summary>
    /// Wraps every data key and session key under a new master key in one transaction, then puts the
    /// new key in the old one's place at the source. Its time depends on the number of keys, not of
    /// sealed values: no sealed value is touched.
    /// </summary>
    /// <exception cref="MasterKeyUnavailableException">The current or the next master key cannot be used; nothing was changed.</exception>
    public async Task<MasterRotationResult> RotateMasterAsync(AuditActor actor, MasterKeySourceKind? target = null, CancellationToken cancellationToken = default)
    {
        var current = loadedMasterKey.Current;
        var next = source.PrepareNext(target);
        if (next.Id == current.Id)
        {
            next.Dispose();
            source.Abandon();
            throw new MasterKeyUnavailableException("the next master key is the one in use; give a new one");
        }

        int rewrapped;
        try
        {
            rewrapped = await store.RewrapAsync(current, next, SessionKeyRewrap.RewrapAsync, cancellationToken);
        }
        catch
        {
            next.Dispose();
            source.Abandon();
            throw;
        }

        source.Complete(current, next, target);
        loadedMasterKey.Use(next);
        await ReloadAsync(cancellationToken);
        await PublishKeysChangedAsync(cancellationToken);
        await auditLog.WriteAsync(actor, AuditActions.MasterKeyRotated, $"master key {next.Id}, {rewrapped} key(s) re-wrapped", cancellationToken: cancellationToken);
        return new MasterRotationResult(current.Id, next.Id, rewrapped, target ?? source.Kind);
    }

    /// <summary>
    /// Rolls past a data key that reached its seal limit: adds the next key unless another process
    /// already did, and returns the ring with it.
    /// </summary>
    internal KeyRing Roll(int keyId)
    {
        var added = store.Add(loadedMasterKey.Current, onlyAfter: keyId);
        if (added is not null)
        {
            logger.LogInformation("Data key {KeyId} reached its seal limit; data key {NewKeyId} is active now.", keyId, added.Id);
        }

        // Off any synchronization context (a circuit's): a seal may roll while its caller waits.
        Task.Run(() => ReloadAsync(CancellationToken.None)).GetAwaiter().GetResult();
        if (added is not null)
        {
            // Told in the background: the seal that rolled may be inside a transaction of its caller.
            _ = Task.Run(() => PublishKeysChangedAsync(CancellationToken.None));
        }
        return sealer.KeyRing;
    }

    /// <summary>Tells the other nodes the data keys changed, so they read them at once rather than at their next poll.</summary>
    private async Task PublishKeysChangedAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        await nodeChanges.PublishAsync(db, NodeChanges.KeysTopic, cancellationToken);
    }

    private IMasterKey OpenMasterFor(IReadOnlyList<DataKey> keys)
    {
        var wrappedBy = keys[^1].MasterKeyId;
        IMasterKey? master;
        try
        {
            master = source.Open(wrappedBy);
        }
        catch (MasterKeyUnavailableException e)
        {
            throw new KeyCustodyException($"{Sentence(e.Message)} The database's data keys are wrapped by master key {wrappedBy}.");
        }

        if (master is null)
        {
            throw new KeyCustodyException($"{source.Description} holds no master key, but the database's {keys.Count} data key(s) are wrapped by master key {wrappedBy}. {Restore}");
        }

        if (master.Id != wrappedBy)
        {
            var found = master.Id;
            master.Dispose();
            var hint = wrappedBy.StartsWith("pkcs11:", StringComparison.Ordinal) && source.Kind != MasterKeySourceKind.Pkcs11
                ? $" The master key was moved into a PKCS#11 token: set {MasterKeyOptions.Section}:Source to pkcs11 with its Module, TokenLabel and Pin, then start again."
                : $" {Restore}";
            throw new KeyCustodyException($"{source.Description} holds master key {found}, but the database's data keys are wrapped by master key {wrappedBy}.{hint}");
        }

        return master;
    }

    private static KeyRing Unwrap(IReadOnlyList<DataKey> keys, IMasterKey master)
    {
        var (opened, failed) = DataKeyStore.Unwrap(keys, master);
        if (failed.Count > 0)
        {
            throw new KeyCustodyException(
                $"data key(s) {Ids(failed)} in the database do not open under master key {master.Id} from {master.Source}: they were altered, or wrapped by another master key. {Restore}");
        }

        return new KeyRing(opened, opened.Max(k => k.Id));
    }

    private void Use(IMasterKey master, KeyRing ring, IReadOnlyList<DataKey> keys)
    {
        lock (_lock)
        {
            loadedMasterKey.Use(master);
            sealer.Use(ring);
            _loaded = keys.ToDictionary(k => k.Id, k => k.Wrapped);
        }

        // Seals of the active key are reserved before it is used: a seal inside a transaction must not wait for one.
        allowance.Prime(ring.Active.Id);
    }

    private static bool Same(IReadOnlyDictionary<int, byte[]> loaded, IReadOnlyList<DataKey> keys) =>
        loaded.Count == keys.Count && keys.All(k => loaded.TryGetValue(k.Id, out var wrapped) && wrapped.AsSpan().SequenceEqual(k.Wrapped));

    private void CreateFirstKeys()
    {
        var master = OpenOrCreateMaster();
        store.Add(master, onlyAfter: 0);
        logger.LogWarning(
            "Created master key {MasterKeyId} in {Source} and the first data key. Back up the master key now, apart from the database: without it no sealed value can be opened.",
            master.Id,
            source.Description);
        master.Dispose();
    }

    /// <summary>
    /// Moves the keys of an earlier version's key ring into the database, wrapped by the master key
    /// (made now when the source holds none). Crash-safe: the keys are stored in one transaction, and
    /// the key ring is deleted only after — run again, it finishes where it stopped.
    /// </summary>
    private async Task ConvertAsync(KeyRing ring, string legacySource, CancellationToken cancellationToken)
    {
        var master = OpenOrCreateMaster();
        try
        {
            if (await store.ImportAsync(ring, master, cancellationToken))
            {
                logger.LogWarning(
                    "Converted the key ring from {LegacySource} ({Count} key(s)) into data keys in the database, wrapped by master key {MasterKeyId} in {Source}. Back up the master key now, apart from the database.",
                    legacySource,
                    ring.Keys.Count,
                    master.Id,
                    source.Description);
                await auditLog.WriteAsync(AuditActor.Cli, AuditActions.KeyRingConverted, $"{ring.Keys.Count} data key(s), master key {master.Id}", cancellationToken: cancellationToken);
            }
        }
        finally
        {
            master.Dispose();
        }
    }

    /// <summary>After the conversion: the old key ring must hold exactly the keys now in the database; then the file is deleted.</summary>
    private void FinishConversion(KeyRing legacy, string legacySource, KeyRing ring)
    {
        var differing = legacy.Keys.Where(k => !ring.TryGetKey(k.Id, out var held) || !CryptographicOperations.FixedTimeEquals(held.Material, k.Material)).Select(k => k.Id).ToArray();
        if (differing.Length > 0)
        {
            throw new KeyCustodyException(
                $"{legacySource} holds key(s) {Ids(differing)} that differ from the data keys of those ids in the database (or that it lacks). " +
                "The data keys are in the database now; move the key ring away (keep it with your backups), then start again.");
        }

        if (sealingOptions.Value.KeyRing is { Length: > 0 })
        {
            logger.LogWarning("The keys of {LegacySource} are in the database now, wrapped by the master key: remove the variable.", legacySource);
            return;
        }

        File.Delete(dataDirectory.KeyRingFile);
        logger.LogWarning("Deleted the key ring file {KeyRingFile}: its keys are in the database, wrapped by the master key. Delete its backups too once the master key is backed up.", dataDirectory.KeyRingFile);
    }

    private IMasterKey OpenOrCreateMaster()
    {
        try
        {
            return source.Open(wrappedBy: null) ?? source.Create();
        }
        catch (MasterKeyUnavailableException e)
        {
            throw new KeyCustodyException(Sentence(e.Message));
        }
    }

    private (KeyRing Ring, string Source)? ReadLegacyKeyRing()
    {
        try
        {
            if (sealingOptions.Value.KeyRing is { Length: > 0 } json)
            {
                return (KeyRingJson.Parse(json), $"the environment variable {SealingOptions.KeyRingVariable}");
            }

            var file = new KeyRingFile(dataDirectory.KeyRingFile);
            return file.Exists ? (file.Read(), $"the key ring file {file.Path}") : null;
        }
        catch (Exception e) when (e is KeyRingFormatException or IOException or UnauthorizedAccessException)
        {
            throw new KeyCustodyException($"the key ring of an earlier version cannot be converted: {e.Message}. Restore it from your backup, then start again.");
        }
    }

    private static string Ids(IEnumerable<int> ids) => string.Join(", ", ids);

    /// <summary>A message as one sentence with one full stop, whether or not its source ended it with one.</summary>
    private static string Sentence(string message) => message.TrimEnd().TrimEnd('.') + ".";
}
