using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace SecretAdmin.Data.Sqlite;

/// <summary>
/// One writer at a time per database file within this process, waited for without holding a thread.
/// </summary>
/// <remarks>
/// SQLite's own wait for its write lock blocks a thread. A burst of writers in one process (a
/// hundred sign-ins at once) would each block one, starve the thread pool, keep the holder from
/// finishing, and run past the wait's limit with "database is locked". Here they queue on a
/// semaphore; only the first of them waits on SQLite, which then only waits for other processes.
/// </remarks>
internal static class SqliteWriteGate
{
    /// <summary>As long as Microsoft.Data.Sqlite waits for a busy database (its default command timeout).</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    /// <summary>SQLite's result code for a database locked by another writer (SQLITE_BUSY).</summary>
    private const int Busy = 5;

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    public static async Task<IDbContextTransaction> EnterAsync(string databaseFile, Func<Task<IDbContextTransaction>> begin, CancellationToken cancellationToken)
    {
        var gate = GateFor(databaseFile);
        if (!await gate.WaitAsync(MaxWait, cancellationToken))
        {
            throw LockedError();
        }

        return await HeldAsync(gate, begin);
    }

    public static IDbContextTransaction Enter(string databaseFile, Func<IDbContextTransaction> begin)
    {
        var gate = GateFor(databaseFile);
        if (!gate.Wait(MaxWait))
        {
            throw LockedError();
        }

        return HeldAsync(gate, () => Task.FromResult(begin())).GetAwaiter().GetResult();
    }

    private static async Task<IDbContextTransaction> HeldAsync(SemaphoreSlim gate, Func<Task<IDbContextTransaction>> begin)
    {
        try
        {
            return new GatedTransaction(await begin(), gate);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private static SemaphoreSlim GateFor(string databaseFile) => Gates.GetOrAdd(Path.GetFullPath(databaseFile), _ => new SemaphoreSlim(1, 1));

    private static SqliteException LockedError() => new("SQLite Error 5: 'database is locked'.", Busy);

    /// <summary>The transaction, which lets the next writer in when it is disposed.</summary>
    private sealed class GatedTransaction(IDbContextTransaction inner, SemaphoreSlim gate) : IDbContextTransaction, IInfrastructure<DbTransaction>
    {
        private int _released;

        /// <summary>The ADO.NET transaction, for SQL sent outside EF Core (<c>GetDbTransaction()</c>).</summary>
        DbTransaction IInfrastructure<DbTransaction>.Instance => inner.GetDbTransaction();

        public Guid TransactionId => inner.TransactionId;

        public bool SupportsSavepoints => inner.SupportsSavepoints;

        public void Commit() => inner.Commit();

        public Task CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

        public void Rollback() => inner.Rollback();

        public Task RollbackAsync(CancellationToken cancellationToken = default) => inner.RollbackAsync(cancellationToken);

        public void CreateSavepoint(string name) => inner.CreateSavepoint(name);

        public Task CreateSavepointAsync(string name, CancellationToken cancellationToken = default) => inner.CreateSavepointAsync(name, cancellationToken);

        public void RollbackToSavepoint(string name) => inner.RollbackToSavepoint(name);

        public Task RollbackToSavepointAsync(string name, CancellationToken cancellationToken = default) => inner.RollbackToSavepointAsync(name, cancellationToken);

        public void ReleaseSavepoint(string name) => inner.ReleaseSavepoint(name);

        public Task ReleaseSavepointAsync(string name, CancellationToken cancellationToken = default) => inner.ReleaseSavepointAsync(name, cancellationToken);

        public void Dispose()
        {
            try
            {
                inner.Dispose();
            }
            finally
            {
                Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                Release();
            }
        }

        private void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
