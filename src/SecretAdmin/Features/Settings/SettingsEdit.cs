using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Nodes;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// One change of a settings row, from <see cref="SettingsStore.EditAsync{TRow}"/>: the row as
/// stored, the time of the change, and <see cref="SaveAsync"/>, which writes the changed fields
/// with their audit entry in one transaction and announces the change, here and to the other nodes.
/// </summary>
public sealed class SettingsEdit<TRow> : IAsyncDisposable
    where TRow : class, ISingleRowSettings
{
    private readonly bool _isNew;
    private readonly long _expectedVersion;
    private readonly AuditLog _auditLog;
    private readonly SettingsChangeNotifier _notifier;
    private readonly NodeChanges _nodeChanges;

    internal SettingsEdit(SecretAdminDbContext db, TRow row, bool isNew, long expectedVersion, DateTime nowUtc, AuditLog auditLog, SettingsChangeNotifier notifier, NodeChanges nodeChanges)
    {
        Db = db;
        Row = row;
        _isNew = isNew;
        _expectedVersion = expectedVersion;
        NowUtc = nowUtc;
        _auditLog = auditLog;
        _notifier = notifier;
        _nodeChanges = nodeChanges;
    }

    public SecretAdminDbContext Db { get; }

    public TRow Row { get; }

    public DateTime NowUtc { get; }

    /// <summary>Someone saved after the version the change started from: it must be refused, not applied.</summary>
    public bool IsStale => Row.Version != _expectedVersion;

    /// <summary>
    /// Saves what <paramref name="changes"/> recorded, audited as <paramref name="auditAction"/> on
    /// <paramref name="auditTarget"/> (field names only), and announces <paramref name="area"/> here and to the other nodes.
    /// A save that lost a race with another is a conflict; nothing is saved then.
    /// </summary>
    public async Task<SettingsSaveResult> SaveAsync(AuditActor actor, FieldChanges changes, SettingsArea area, string auditAction, string auditTarget, CancellationToken cancellationToken)
    {
        if (!changes.Any)
        {
            return SettingsSaveResult.Saved(Row.Version);
        }

        Row.Version++;
        Row.UpdatedAtUtc = NowUtc;
        Row.UpdatedBy = actor.Name;
        if (_isNew)
        {
            Db.Set<TRow>().Add(Row);
        }

        _auditLog.Add(Db, actor, auditAction, auditTarget, changes.Names);
        try
        {
            await Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return SettingsSaveResult.Conflict();
        }
        catch (DbUpdateException e) when (_isNew && Db.Engine.IsUniqueViolation(e))
        {
            // Two first saves of the single row: its primary key keeps the second out.
            return SettingsSaveResult.Conflict();
        }

        _notifier.Announce(area);
        await _nodeChanges.PublishAsync(Db, NodeChanges.SettingsTopic(area), cancellationToken);
        return SettingsSaveResult.Saved(Row.Version);
    }

    public ValueTask DisposeAsync() => Db.DisposeAsync();
}
