using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace SecretAdmin.Data;

/// <summary>
/// What differs between the database engines SecretAdmin runs on, and nothing else: features
/// ask for a write-locked transaction or whether a save broke a unique key, never for an engine.
/// One implementation per engine, in <c>Data/&lt;Engine&gt;/</c>.
/// </summary>
public interface IDatabaseEngine
{
    /// <summary>The engine's name as people know it ("SQLite"), for health and messages.</summary>
    string Name { get; }

    /// <summary>Where the data is, for messages to operators; never a password.</summary>
    string Location { get; }

    /// <summary>
    /// Creates what the engine keeps in the data folder, the owner's alone, and returns the files that
    /// were open to group or others (left so by an earlier version) with their former mode.
    /// </summary>
    IReadOnlyList<(string File, UnixFileMode FormerMode)> EnsureCreated();

    /// <summary>Points EF Core at this engine's database, with its own migrations, and names this engine in the options.</summary>
    void Configure(DbContextOptionsBuilder options);

    /// <summary>A context of the type this engine's migrations belong to, on its own (migrations, tools).</summary>
    SecretAdminDbContext CreateContext();

    /// <summary>
    /// The app's contexts: of the type this engine's migrations belong to, rented from EF Core's context
    /// pool, on options <paramref name="host"/> adds to (the app's services, for its logging).
    /// </summary>
    IDbContextFactory<SecretAdminDbContext> CreatePooledFactory(Action<DbContextOptionsBuilder> host);

    /// <summary>Applies the migrations, one process at a time, also after a process died while migrating.</summary>
    Task MigrateAsync(SecretAdminDbContext db, CancellationToken cancellationToken);

    /// <summary>
    /// Begins a transaction that holds the database-wide write lock from its start, so a check made
    /// inside it still holds when its change is written — also against other processes and nodes.
    /// </summary>
    Task<IDbContextTransaction> BeginWriteLockedTransactionAsync(SecretAdminDbContext db, CancellationToken cancellationToken);

    /// <inheritdoc cref="BeginWriteLockedTransactionAsync"/>
    IDbContextTransaction BeginWriteLockedTransaction(SecretAdminDbContext db);

    /// <summary>
    /// Takes the lock named <paramref name="name"/>, which one process at a time holds across every
    /// process and node on this database, for work that must not run twice at once (a re-seal).
    /// Null at once when another holds it. It is held until disposed, or until the process ends
    /// however it ends (SIGKILL too): then the engine — the database server, or the operating
    /// system — releases it, so no stale lock is ever left to clear by hand.
    /// </summary>
    Task<IAsyncDisposable?> TryAcquireRunLockAsync(string name, CancellationToken cancellationToken);

    /// <summary>Whether a failed save broke a primary or unique key.</summary>
    bool IsUniqueViolation(DbUpdateException exception);

    /// <summary>
    /// When <paramref name="exception"/> is the engine saying it cannot reach, open or migrate the
    /// database, the engine's reason in a few words (never a password); otherwise null.
    /// </summary>
    string? ReasonUnavailable(Exception exception);

    /// <summary>
    /// SQL for the key id in an envelope held in <paramref name="column"/> (quoted): the text between
    /// the envelope prefix and the next colon.
    /// </summary>
    string EnvelopeKeyIdSql(string column);

    /// <summary>Opens a fresh connection (not a pooled one) and says how many migrations it finds applied; a short reason when it cannot.</summary>
    Task<(long? Applied, string? Problem)> CountAppliedMigrationsAsync(SecretAdminDbContext db, CancellationToken cancellationToken);

    /// <summary>
    /// Holds one connection that receives the notices sent on <paramref name="channel"/> by every
    /// process sharing the database, and hands each payload to <paramref name="onNotification"/>
    /// until <paramref name="cancellationToken"/> is cancelled; <paramref name="onListening"/> is called
    /// once the connection listens. Throws when the connection is lost;
    /// the caller connects again. An engine without notices waits until cancelled: its processes
    /// learn of changes by reading the database again.
    /// </summary>
    Task ListenAsync(string channel, Action<string> onNotification, Action onListening, CancellationToken cancellationToken);

    /// <summary>
    /// Sends <paramref name="payload"/> to every process listening on <paramref name="channel"/>:
    /// when the transaction <paramref name="db"/> has open commits, or at once without one. Nothing on
    /// an engine without notices.
    /// </summary>
    Task NotifyAsync(SecretAdminDbContext db, string channel, string payload, CancellationToken cancellationToken);
}
