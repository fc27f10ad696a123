using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.Components.Shared;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// The sealing keys for administrators: the key ring with what each key seals, rotate and retire,
/// a re-seal that runs in the background (followed here, wherever it was started), and verify.
/// Nothing here shows a stored value, an envelope or a key.
/// </summary>
public sealed partial class KeysPage : IDisposable
{
    /// <summary>How often the page reads the latest run while one is running (or starting) in this process or elsewhere.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>While nothing runs, the page still looks every this many intervals, to notice a run started from the command line or another tab.</summary>
    internal const int IdlePollEvery = 3;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly Dictionary<string, object?> KeysTableAttributes = new() { ["aria-label"] = "Sealing keys" };

    private static readonly Dictionary<string, object?> VerifyTableAttributes = new() { ["aria-label"] = "Stored values by table, column, key and state" };

    private readonly CancellationTokenSource _disposed = new();
    private readonly CancellationToken _stopping;
    private IReadOnlyList<KeyInfo>? _keys;
    private bool _loadFailed;
    private bool _rotating;
    private int? _retiring;
    private KeyOperationView? _operation;
    private bool _operationFailed;
    private bool _starting;
    private long? _operationBeforeStart;
    private bool _runnerWasRunning;
    private bool _operationRead;
    private long _readSequence;
    private long _appliedSequence;
    private bool _verifying;
    private bool _verifyFailed;
    private VerifyReport? _report;

    public KeysPage()
    {
        // Kept apart from the source: work that ends after the page is gone still reads a (cancelled) token.
        _stopping = _disposed.Token;
    }

    [Inject]
    private KeyCustody Keys { get; set; } = default!;

    [Inject]
    private SealedValueService SealedValues { get; set; } = default!;

    [Inject]
    private KeyOperations Operations { get; set; } = default!;

    [Inject]
    private KeyJobRunner Runner { get; set; } = default!;

    [Inject]
    private CurrentActor CurrentActor { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<KeysPage> Logger { get; set; } = default!;

    /// <summary>A re-seal (or import) is running or about to: another cannot start, and the page follows it each second.</summary>
    private bool ResealRunning => _starting || _runnerWasRunning || _operation?.State == KeyOperationState.Running;

    protected override async Task OnInitializedAsync()
    {
        await LoadKeysAsync();
        await ReadOperationAsync(_stopping);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        // Not during prerendering (no OnAfterRender there): the interactive page polls, the static one has nothing to update.
        if (firstRender)
        {
            _ = PollAsync(_stopping);
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task LoadKeysAsync()
    {
        try
        {
            // Microsoft.Data.Sqlite completes its "async" calls synchronously: off the circuit's thread.
            _keys = await Task.Run(() => Keys.ListAsync(_stopping));
            _loadFailed = false;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // The page says only that loading failed; what went wrong is for the server log.
            Logger.LogError(exception, "The sealing keys could not be loaded");
            _loadFailed = true;
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(PollInterval);
            var idleTicks = 0;
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (!ResealRunning && ++idleTicks < IdlePollEvery)
                {
                    continue;
                }

                idleTicks = 0;
                await ReadOperationAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page is gone.
        }
        catch (ObjectDisposedException)
        {
            // The circuit is gone.
        }
    }

    /// <summary>Reads the latest run off the circuit's thread, then shows it; when a run has ended, reloads the keys' counts.</summary>
    private async Task ReadOperationAsync(CancellationToken cancellationToken)
    {
        // Looked at before the record: a runner seen stopped here has written all it will by the time the record is read.
        var runnerRunning = Runner.IsRunning;
        var sequence = ++_readSequence;
        KeyOperationView? latest;
        bool failed;
        try
        {
            latest = await Task.Run(() => Operations.LatestAsync(cancellationToken), cancellationToken);
            failed = false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception exception)
        {
            if (!_operationFailed)
            {
                Logger.LogError(exception, "The latest re-seal could not be read");
            }

            latest = _operation;
            failed = true;
        }

        await InvokeAsync(async () =>
        {
            // A read overtaken by a newer one, or begun before a re-seal was started here, tells nothing new.
            if (cancellationToken.IsCancellationRequested || sequence <= _appliedSequence)
            {
                return;
            }

            _appliedSequence = sequence;
            var before = _operation;
            var beforeRunner = _runnerWasRunning;
            var beforeStarting = _starting;
            var beforeFailed = _operationFailed;
            _operation = latest;
            _operationFailed = failed;
            _runnerWasRunning = runnerRunning;
            if (_starting && latest is not null && latest.Id != _operationBeforeStart)
            {
                _starting = false;
            }
            else if (_starting && !_runnerWasRunning && !failed)
            {
                // The runner ended without recording a run: it stopped before its first batch.
                _starting = false;
                Snackbar.Add("The re-seal could not start. The server log has the details.", Severity.Error);
            }

            // A run that ended since the last look (here, in another tab or on the command line) changed what the keys seal.
            var ended = _operationRead
                        && latest is { State: not KeyOperationState.Running }
                        && (before?.Id != latest.Id || before.State != latest.State);
            _operationRead = true;
            if (ended)
            {
                await LoadKeysAsync();
            }

            if (!Equals(before, latest) || beforeRunner != _runnerWasRunning || beforeStarting != _starting || ended || beforeFailed != failed)
            {
                StateHasChanged();
            }
        });
    }

    private async Task RotateAsync()
    {
        const string message =
            "A new data key is added to the database, wrapped by the master key, and becomes the active key: new secrets " +
            "are sealed with it at once, in every running instance, and the older keys stay to open what they sealed. " +
            "Re-seal afterwards to move the stored values to the new key.";
        if (!await Dialogs.ConfirmAsync("Rotate the sealing key?", message, "Rotate", Color.Primary))
        {
            return;
        }

        _rotating = true;
        try
        {
            var actor = await CurrentActor.GetAsync();
            var result = await Task.Run(() => Keys.RotateAsync(actor));
            Snackbar.Add($"Data key {result.NewKeyId} is active. Re-seal to move the stored values to it.", Severity.Success);

            await LoadKeysAsync();
        }
        catch (Exception exception)
        {
            Logger.LogError(exception, "The sealing key could not be rotated");
            Snackbar.Add("The key could not be rotated. The server log has the details.", Severity.Error);
        }
        finally
        {
            _rotating = false;
        }
    }

    private async Task RetireAsync(KeyInfo key)
    {
        var message =
            $"Data key {key.Id} is removed from the database. No stored value uses it now, but a database backup from before " +
            "the re-seal holds it still, wrapped: keep the master key's backup for as long as you keep those.";
        if (!await Dialogs.ConfirmAsync($"Retire key {key.Id}?", message, "Retire", Color.Error))
        {
            return;
        }

        _retiring = key.Id;
        try
        {
            var actor = await CurrentActor.GetAsync();
            var result = await Task.Run(() => Keys.RetireAsync(actor, key.Id));
            Snackbar.Add(result.Message, result.Succeeded ? Severity.Success : Severity.Error);
            await LoadKeysAsync();
        }
        catch (Exception exception)
        {
            Logger.LogError(exception, "Key {KeyId} could not be retired", key.Id);
            Snackbar.Add($"Key {key.Id} could not be retired. The server log has the details.", Severity.Error);
        }
        finally
        {
            _retiring = null;
        }
    }

    private async Task StartResealAsync()
    {
        if (ResealRunning)
        {
            return;
        }

        var actor = await CurrentActor.GetAsync();
        var before = _operation?.Id;
        if (!Runner.TryStartReseal(actor))
        {
            Snackbar.Add("A re-seal is already running.", Severity.Info);
            return;
        }

        _starting = true;
        _appliedSequence = ++_readSequence;
        _operationBeforeStart = before;
        _runnerWasRunning = true;
        Snackbar.Add("The re-seal has started. It carries on if you leave this page.", Severity.Info);
        await ReadOperationAsync(_stopping);
    }

    private async Task VerifyAsync()
    {
        _verifying = true;
        _verifyFailed = false;
        try
        {
            var actor = await CurrentActor.GetAsync();
            _report = await Task.Run(() => SealedValues.VerifyAsync(actor));
        }
        catch (Exception exception)
        {
            Logger.LogError(exception, "The stored values could not be verified");
            _report = null;
            _verifyFailed = true;
        }
        finally
        {
            _verifying = false;
        }
    }

    /// <summary>Only a key that is not active, is in the ring and seals nothing can go.</summary>
    internal static bool CanRetire(KeyInfo key) => !key.Active && key.InDatabase && key.SealedValues == 0;

    private static string RetireHint(KeyInfo key) => key switch
    {
        { InDatabase: false } => "This key is not in the database.",
        { Active: true } => "The active key cannot be retired: rotate first.",
        { SealedValues: > 0 } => $"Still seals {Values(key.SealedValues)}: re-seal first.",
        _ => $"Remove data key {key.Id} from the database.",
    };

    internal static (string Label, Color Color) StateOf(KeyInfo key) => key switch
    {
        { InDatabase: false } => ("Missing from the database", Color.Error),
        { Active: true } => ("Active", Color.Success),
        { SealedValues: > 0 } => ("Older, still in use", Color.Default),
        _ => ("Can be retired", Color.Info),
    };

    private static (string Label, Color Color) StateOf(SealedValueState state) => state switch
    {
        SealedValueState.Opens => ("Opens", Color.Success),
        SealedValueState.KeyMissing => ("Key missing", Color.Error),
        SealedValueState.DoesNotOpen => ("Does not open", Color.Error),
        SealedValueState.Plaintext => ("Plaintext, not sealed", Color.Warning),
        _ => (state.ToString(), Color.Default),
    };

    private static string VerifyRowClass(VerifyEntry entry, int index) =>
        entry.State == SealedValueState.Opens ? "keys-verify-row" : "keys-verify-row keys-verify-row-failing";

    private static string VerifyAdvice(VerifyReport report)
    {
        var advice = new List<string>();
        if (report.Count(SealedValueState.KeyMissing) > 0)
        {
            advice.Add("Values whose data key is missing cannot be opened: save those secrets again.");
        }

        if (report.Count(SealedValueState.DoesNotOpen) > 0)
        {
            advice.Add("Values that do not open were altered or sealed with other keys; save those secrets again.");
        }

        if (report.Count(SealedValueState.Plaintext) > 0)
        {
            advice.Add("Plaintext values are sealed by SecretAdmin secrets import-plaintext.");
        }

        return string.Join(" ", advice);
    }

    private static string KindLabel(KeyOperationView run) => run.Kind == KeyOperation.ImportPlaintext ? "Plaintext import" : "Re-seal";

    private static string StateLabel(KeyOperationView run) => run.State switch
    {
        KeyOperationState.Running => "running",
        KeyOperationState.Finished => "finished",
        KeyOperationState.Failed => "failed",
        KeyOperationState.Interrupted => "interrupted",
        _ => run.State.ToString(),
    };

    private static Color ProgressColor(KeyOperationView run) => run.State switch
    {
        KeyOperationState.Running => Color.Primary,
        KeyOperationState.Finished when run.Unreadable == 0 => Color.Success,
        KeyOperationState.Failed => Color.Error,
        _ => Color.Warning,
    };

    /// <summary>Whole percent, rounded down so a run shows 100% only when every value is done.</summary>
    private static string PercentText(KeyOperationView run) =>
        string.Create(Invariant, $"{Math.Floor(run.Percent):0}%");

    private static string RateText(KeyOperationView run) =>
        run.PerSecond >= 10 || run.PerSecond == 0
            ? string.Create(Invariant, $"{run.PerSecond:N0} values per second")
            : string.Create(Invariant, $"{run.PerSecond:0.#} values per second");

    internal static string Values(long count) =>
        count == 1 ? "1 value" : string.Create(Invariant, $"{count:N0} values");

    internal static string FormatUtc(DateTimeOffset? utc) =>
        utc is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant) : "—";

    internal static string FormatUtc(DateTime? utc) =>
        utc is { } value ? DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant) : "—";
}
