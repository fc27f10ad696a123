using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.Components.Shared;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// The keys for administrators: the master key (where it is, or why it is unavailable) and its
/// rotation; the data keys with what each seals and how many seals each made, rotate and retire; a
/// re-seal that runs in the background, pushed here by <see cref="KeyOperationsMonitor"/> wherever it
/// was started; and verify. Nothing here shows a stored value, an envelope or key material.
/// </summary>
public sealed partial class KeysPage : IDisposable
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly Dictionary<string, object?> KeysTableAttributes = new() { ["aria-label"] = "Data keys" };

    private static readonly Dictionary<string, object?> VerifyTableAttributes = new() { ["aria-label"] = "Stored values by table, column, key and state" };

    private readonly CancellationTokenSource _disposed = new();
    private readonly CancellationToken _stopping;
    private IDisposable? _subscription;
    private MasterKeyInfo _master = default!;
    private string? _masterFileProblem;
    private bool _rotatingMaster;
    private IReadOnlyList<KeyInfo>? _keys;
    private bool _loadFailed;
    private bool _rotating;
    private int? _retiring;
    private KeyOperationView? _operation;
    private bool _operationFailed;
    private bool _starting;
    private long? _operationBeforeStart;
    private bool _runningHere;
    private bool _operationRead;
    private long _appliedRead;
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
    private KeyOperationsMonitor Monitor { get; set; } = default!;

    [Inject]
    private KeyJobRunner Runner { get; set; } = default!;

    [Inject]
    private IOptions<SealingOptions> SealingOptions { get; set; } = default!;

    [Inject]
    private CurrentActor CurrentActor { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<KeysPage> Logger { get; set; } = default!;

    /// <summary>A re-seal (or import) is running or about to: another cannot start.</summary>
    private bool ResealRunning => _starting || _runningHere || _operation?.State == KeyOperationState.Running;

    /// <summary>Only from a file or a token, with the master key answering; the environment is changed on the command line.</summary>
    private bool CanRotateMaster => !_rotatingMaster && _master.Kind != MasterKeySourceKind.Environment && _master.Unavailable is null;

    protected override async Task OnInitializedAsync()
    {
        _master = Keys.MasterKey;
        await LoadKeysAsync();
        try
        {
            await ApplyAsync(await Monitor.GetAsync(_stopping));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        // Not during prerendering (no OnAfterRender there): the interactive page follows the runs, the static one has nothing to update.
        if (firstRender)
        {
            _subscription = Monitor.Subscribe(OnRunsChangedAsync);

            // A change between the first read and the subscription.
            if (Monitor.Current is { } current && current.Read > _appliedRead)
            {
                _ = OnRunsChangedAsync(current);
            }
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task LoadKeysAsync()
    {
        try
        {
            // A database provider may complete its "async" calls synchronously: off the circuit's thread.
            var fromFile = Keys.MasterKey.Kind == MasterKeySourceKind.File;
            (_keys, _masterFileProblem) = await Task.Run(async () => (await Keys.ListAsync(_stopping), fromFile ? Keys.MasterKeyFileProblem() : null));
            _loadFailed = false;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // The page says only that loading failed; what went wrong is for the server log.
            Logger.LogError(exception, "The keys could not be loaded");
            _loadFailed = true;
        }
    }

    private async Task OnRunsChangedAsync(KeyOperationsUpdate update)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await InvokeAsync(async () =>
            {
                if (await ApplyAsync(update))
                {
                    StateHasChanged();
                }
            });
        }
        catch (ObjectDisposedException)
        {
            // The circuit is gone.
        }
    }

    /// <summary>Shows what the monitor read; when a run has ended, reloads the keys' counts. False when the update tells nothing new.</summary>
    private async Task<bool> ApplyAsync(KeyOperationsUpdate update)
    {
        // A read that began before a re-seal was started here, or one already shown, tells nothing new.
        if (_stopping.IsCancellationRequested || update.Read <= _appliedRead)
        {
            return false;
        }

        _appliedRead = update.Read;
        var latest = update.Latest;
        var before = _operation;
        _operation = latest;
        _operationFailed = update.ReadFailed;
        _runningHere = update.RunningHere;
        _master = Keys.MasterKey;
        if (_starting && latest is not null && latest.Id != _operationBeforeStart)
        {
            _starting = false;
        }
        else if (_starting && !update.RunningHere && !update.ReadFailed)
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

        return true;
    }

    private async Task RotateMasterAsync()
    {
        var message = _master.Kind == MasterKeySourceKind.Pkcs11
            ? "A new master key is generated on the token, and every data key and session key is re-wrapped under it in one " +
              "transaction: all of them, or none. No sealed value is touched, so this takes as long as there are keys, not secrets. " +
              "The old key is then destroyed on the token. Back the token up afterwards, as your HSM's documentation says."
            : "A new master key file is made, and every data key and session key is re-wrapped under it in one transaction: " +
              "all of them, or none. No sealed value is touched, so this takes as long as there are keys, not secrets. The new " +
              "file then takes the old one's place. Back up the new master key afterwards, apart from the database: the old " +
              "key's backup opens only database backups made before now.";
        if (!await Dialogs.ConfirmAsync("Rotate the master key?", message, "Rotate master key", Color.Primary))
        {
            return;
        }

        _rotatingMaster = true;
        try
        {
            var actor = await CurrentActor.GetAsync();
            var result = await Task.Run(() => Keys.RotateMasterAsync(actor));
            var backup = result.Source == MasterKeySourceKind.Pkcs11
                ? "Back the token up as your HSM's documentation says."
                : "Back up the master key file now, apart from the database.";
            Snackbar.Add($"Master key {result.NewId} wraps {result.Rewrapped} key(s) now. {backup}", Severity.Success);
        }
        catch (MasterKeyUnavailableException exception)
        {
            // Says what is wrong and what to do, never key material.
            Snackbar.Add($"The master key was not rotated; nothing was changed: {Clause(exception.Message)}.", Severity.Error);
        }
        catch (Exception exception)
        {
            Logger.LogError(exception, "The master key could not be rotated");
            Snackbar.Add("The master key was not rotated. The server log has the details.", Severity.Error);
        }
        finally
        {
            _rotatingMaster = false;
            _master = Keys.MasterKey;
        }

        await LoadKeysAsync();
    }

    private async Task RotateAsync()
    {
        const string message =
            "A new data key is added to the database, wrapped by the master key, and becomes the active key: new secrets " +
            "are sealed with it at once, in every running instance, and the older keys stay to open what they sealed. " +
            "Re-seal afterwards to move the stored values to the new key.";
        if (!await Dialogs.ConfirmAsync("Rotate the data key?", message, "Rotate", Color.Primary))
        {
            return;
        }

        _rotating = true;
        try
        {
            var actor = await CurrentActor.GetAsync();
            var result = await Task.Run(() => Keys.RotateAsync(actor));
            Snackbar.Add($"Data key {result.NewKeyId} is active. Re-seal to move the stored values to it.", Severity.Success);
        }
        catch (MasterKeyUnavailableException exception)
        {
            Snackbar.Add($"No data key was added: {Clause(exception.Message)}.", Severity.Error);
        }
        catch (Exception exception)
        {
            Logger.LogError(exception, "The data key could not be rotated");
            Snackbar.Add("The data key could not be rotated. The server log has the details.", Severity.Error);
        }
        finally
        {
            _rotating = false;
            _master = Keys.MasterKey;
        }

        await LoadKeysAsync();
    }

    private async Task RetireAsync(KeyInfo key)
    {
        var message =
            $"Data key {key.Id} is removed from the database. No stored value uses it now, but a database backup from before " +
            "the re-seal holds it still, wrapped: keep the master key's backup for as long as you keep those.";
        if (!await Dialogs.ConfirmAsync($"Retire data key {key.Id}?", message, "Retire", Color.Error))
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
            Logger.LogError(exception, "Data key {KeyId} could not be retired", key.Id);
            Snackbar.Add($"Data key {key.Id} could not be retired. The server log has the details.", Severity.Error);
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
        switch (await Runner.TryStartResealAsync(actor))
        {
            case ResealStart.RunningHere:
                Snackbar.Add("A re-seal is already running.", Severity.Info);
                return;
            case ResealStart.RunningElsewhere:
                Snackbar.Add(SealingRunRefusedException.Text, Severity.Warning);
                return;
        }

        // Reads begun before the start know nothing of it; the monitor reads at once and pushes what it finds.
        _appliedRead = Math.Max(_appliedRead, Monitor.ReadsBegun);
        _starting = true;
        _operationBeforeStart = before;
        _runningHere = true;
        Snackbar.Add("The re-seal has started. It carries on if you leave this page.", Severity.Info);
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

    /// <summary>Only a key that is not active, is in the database and seals nothing can go.</summary>
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
        SealedValueState.MasterKeyUnavailable => ("Master key unavailable", Color.Error),
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

        if (report.Count(SealedValueState.MasterKeyUnavailable) > 0)
        {
            advice.Add("Nothing opens while the master key is unavailable: bring it back, then verify again.");
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

    /// <summary>Seals made of the limit, as "1,000 of 1,073,741,824"; none for a key the database lacks.</summary>
    private string SealsText(KeyInfo key) =>
        key.InDatabase ? string.Create(Invariant, $"{key.Seals:N0} of {SealingOptions.Value.SealsPerDataKey:N0}") : "—";

    private static string KindLabel(MasterKeySourceKind kind) => kind switch
    {
        MasterKeySourceKind.Environment => "Environment variable",
        MasterKeySourceKind.Pkcs11 => "PKCS#11 token",
        _ => "File",
    };

    /// <summary>The reason without the words the alert already says.</summary>
    private static string UnavailableReason(string reason)
    {
        const string said = "the master key is unavailable: ";
        return Clause(reason.StartsWith(said, StringComparison.OrdinalIgnoreCase) ? reason[said.Length..] : reason);
    }

    /// <summary>A message to go before a full stop of the page's own: without one of its own at the end.</summary>
    private static string Clause(string message) => message.TrimEnd().TrimEnd('.');

    /// <summary>A message part ("the master key file …") as the start of a sentence.</summary>
    private static string Sentence(string text) =>
        text.Length == 0 ? text : string.Concat(char.ToUpperInvariant(text[0]).ToString(), text.AsSpan(1));

    /// <summary>A path, a key id or a variable name that may wrap where a reader expects it: after a <c>/</c>, a <c>:</c> or a <c>__</c>.</summary>
    private static RenderFragment Breakable(string text) => builder =>
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var end = text[i] is '/' or ':' ? i + 1 : text.AsSpan(i).StartsWith("__") ? i + 2 : -1;
            if (end > start && end < text.Length)
            {
                builder.AddContent(0, text[start..end]);
                builder.AddMarkupContent(1, "<wbr>");
                start = end;
                i = end - 1;
            }
        }

        builder.AddContent(2, text[start..]);
    };

    internal static string Values(long count) =>
        count == 1 ? "1 value" : string.Create(Invariant, $"{count:N0} values");

    internal static string FormatUtc(DateTimeOffset? utc) =>
        utc is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant) : "—";

    internal static string FormatUtc(DateTime? utc) =>
        utc is { } value ? DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant) : "—";
}
