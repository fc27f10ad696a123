using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Nodes;

/// <summary>
/// In the web app: takes up what other nodes and commands changed — settings saved, data keys
/// rotated — within a second, also where this process keeps what it built from them (the OpenID
/// Connect handler's options, the keys it seals with). Two sources feed it: the notices of
/// <see cref="NodeChanges"/> (on engines that send them, on a connection of their own that is
/// opened again when lost) and a poll of the settings versions and data keys four times a second, which
/// alone serves engines without notices and covers notices sent while the connection was down.
/// Each change is handed to the same in-process paths a change made here takes.
/// </summary>
internal sealed class NodeChangeListener(
    IDbContextFactory<SecretAdminDbContext> dbContextFactory,
    IDatabaseEngine engine,
    SettingsChangeNotifier settingsNotifier,
    KeyCustody keyCustody,
    ILogger<NodeChangeListener> logger) : BackgroundService
{
    /// <summary>Four times a second (five small reads), so that a change is taken up within a second even without a notice.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<string> _changes = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), PollAsync(stoppingToken), ApplyAsync(stoppingToken));

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        void Listening()
        {
            if (failing)
            {
                logger.LogInformation("Listening for changes made on other nodes again.");
            }

            failing = false;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await engine.ListenAsync(NodeChanges.Channel, topic => _changes.Writer.TryWrite(topic), Listening, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!failing)
                {
                    logger.LogWarning("Listening for changes made on other nodes failed ({Exception}); connecting again every second, and polling meanwhile.", e.GetType().Name);
                }

                failing = true;
                try
                {
                    await Task.Delay(ReconnectDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        Versions? last = null;
        var failing = false;
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            do
            {
                try
                {
                    var now = await ReadVersionsAsync(stoppingToken);
                    if (last is not null)
                    {
                        foreach (var topic in now.ChangedSince(last))
                        {
                            _changes.Writer.TryWrite(topic);
                        }
                    }

                    last = now;
                    failing = false;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (!failing)
                    {
                        logger.LogWarning("Reading the settings versions and data keys for changes made on other nodes failed ({Exception}); trying again at the next poll.", e.GetType().Name);
                    }

                    failing = true;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task ApplyAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var topic in _changes.Reader.ReadAllAsync(stoppingToken))
            {
                if (topic == NodeChanges.KeysTopic)
                {
                    try
                    {
                        await keyCustody.ReloadAsync(stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogError("Reading the data keys after a change on another node failed ({Exception}); the keys in use stay.", e.GetType().Name);
                    }
                }
                else if (NodeChanges.SettingsAreaOf(topic) is { } area)
                {
                    settingsNotifier.Announce(area);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task<Versions> ReadVersionsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbContextFactory.CreateDbContextAsync(cancellationToken);
        var oidc = await db.OidcSettings.Select(s => (long?)s.Version).SingleOrDefaultAsync(cancellationToken) ?? 0;
        var smtp = await db.SmtpSettings.Select(s => (long?)s.Version).SingleOrDefaultAsync(cancellationToken) ?? 0;
        var mfa = await db.MfaPolicy.Select(s => (long?)s.Version).SingleOrDefaultAsync(cancellationToken) ?? 0;
        var keyCount = await db.DataKeys.CountAsync(cancellationToken);
        var newest = await db.DataKeys.OrderByDescending(k => k.Id).Select(k => new { k.Id, k.MasterKeyId }).FirstOrDefaultAsync(cancellationToken);
        return new Versions(oidc, smtp, mfa, keyCount, newest?.Id ?? 0, newest?.MasterKeyId);
    }

    /// <summary>What tells that something changed: each settings row's version, and the data keys' count, newest id and master key.</summary>
    private sealed record Versions(long Oidc, long Smtp, long MfaPolicy, int KeyCount, int NewestKeyId, string? MasterKeyId)
    {
        public IEnumerable<string> ChangedSince(Versions before)
        {
            if (Oidc != before.Oidc)
            {
                yield return NodeChanges.SettingsTopic(SettingsArea.Oidc);
            }

            if (Smtp != before.Smtp)
            {
                yield return NodeChanges.SettingsTopic(SettingsArea.Smtp);
            }

            if (MfaPolicy != before.MfaPolicy)
            {
                yield return NodeChanges.SettingsTopic(SettingsArea.MfaPolicy);
            }

            if (KeyCount != before.KeyCount || NewestKeyId != before.NewestKeyId || MasterKeyId != before.MasterKeyId)
            {
                yield return NodeChanges.KeysTopic;
            }
        }
    }
}
