using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SecretAdmin.Data.Sqlite;

/// <summary>
/// Queues the statements that write outside a transaction (EF Core's ExecuteUpdate and
/// ExecuteDelete, a SaveChanges of one row) on <see cref="SqliteWriteGate"/>, as the write-locked
/// transactions are.
/// </summary>
/// <remarks>
/// A sign-in writes several such statements (the attempt's slot, the code's time step, the count,
/// the sign-in time, the audit entry). Without the gate, one that finds another writer at work waits
/// on SQLite's busy handler, which sleeps on the request's thread: a burst of sign-ins ties up
/// threads that are asleep, not working. In the gate they wait without a thread and go in turn;
/// only writers in other processes are still waited for by SQLite. A statement inside a transaction
/// is left alone (its transaction holds, or does not need, the gate), and so is one that waited
/// longer than SQLite's own wait: it goes on to SQLite, which answers as it did before.
/// </remarks>
internal sealed class SqliteStatementGate(string databaseFile) : DbCommandInterceptor
{
    /// <summary>As long as SQLite's busy_timeout (<see cref="SqlitePragmaInterceptor"/>).</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private readonly ConditionalWeakTable<DbCommand, SemaphoreSlim> _held = [];

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Enter(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(command, cancellationToken);
        return result;
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Leave(command);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Leave(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Enter(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(command, cancellationToken);
        return result;
    }

    // An INSERT … RETURNING is read: it has finished once its reader is done with.
    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Leave(command);
        return result;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Leave(command);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(command);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Leave(command);

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(command);
        return Task.CompletedTask;
    }

    private void Enter(DbCommand command)
    {
        if (IsWriteOutsideTransaction(command) && SqliteWriteGate.EnterStatement(databaseFile, MaxWait) is { } gate)
        {
            _held.AddOrUpdate(command, gate);
        }
    }

    private async Task EnterAsync(DbCommand command, CancellationToken cancellationToken)
    {
        if (IsWriteOutsideTransaction(command) && await SqliteWriteGate.EnterStatementAsync(databaseFile, MaxWait, cancellationToken) is { } gate)
        {
            _held.AddOrUpdate(command, gate);
        }
    }

    private void Leave(DbCommand command)
    {
        if (_held.TryGetValue(command, out var gate) && _held.Remove(command))
        {
            gate.Release();
        }
    }

    /// <summary>Whether the statement writes (its first word) and runs on its own, not in a transaction.</summary>
    internal static bool IsWriteOutsideTransaction(DbCommand command)
    {
        if (command.Transaction is not null)
        {
            return false;
        }

        var text = command.CommandText.AsSpan().TrimStart();
        return text.StartsWith("UPDATE ", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("INSERT ", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE ", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("REPLACE ", StringComparison.OrdinalIgnoreCase);
    }
}
