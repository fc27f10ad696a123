using SecretAdmin.Data;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Nodes;

/// <summary>
/// Tells every other process on the database that something it keeps in memory changed — saved
/// settings, the data keys — so nodes take it up at once instead of at their next poll
/// (<see cref="NodeChangeListener"/>). A notice that cannot be sent is logged, never an error of the
/// change itself: the change is committed, and the poll brings it within a second.
/// </summary>
public sealed class NodeChanges(ILogger<NodeChanges> logger)
{
    /// <summary>The one channel all notices go on; the payload is the topic.</summary>
    public const string Channel = "secretadmin_changes";

    /// <summary>The data keys changed: a rotation, a retirement, a roll-over or a master key rotation.</summary>
    public const string KeysTopic = "keys";

    private const string SettingsPrefix = "settings:";

    public static string SettingsTopic(SettingsArea area) => SettingsPrefix + area;

    /// <summary>The settings area a topic names, or null when it names none.</summary>
    public static SettingsArea? SettingsAreaOf(string topic) =>
        topic.StartsWith(SettingsPrefix, StringComparison.Ordinal) && Enum.TryParse<SettingsArea>(topic[SettingsPrefix.Length..], out var area) && Enum.IsDefined(area)
            ? area
            : null;

    /// <summary>Sends <paramref name="topic"/> to the other nodes when <paramref name="db"/>'s open transaction commits (at once without one).</summary>
    public async Task PublishAsync(SecretAdminDbContext db, string topic, CancellationToken cancellationToken)
    {
        try
        {
            await db.Engine.NotifyAsync(db, Channel, topic, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("The other nodes were not told of the change to {Topic} ({Exception}); they take it up at their next poll, within a second.", topic, e.GetType().Name);
        }
    }
}
