using Microsoft.AspNetCore.Components;
using MudBlazor;
using SecretAdmin.Access;

namespace SecretAdmin.Features.Mail;

public sealed partial class MailPage : IDisposable
{
    private readonly HashSet<string> _retrying = new(StringComparer.Ordinal);
    private IReadOnlyList<OutboxEntry>? _mails;
    private bool _loadFailed;
    private string _filter = "all";
    private IDisposable? _subscription;

    [Inject]
    private OutboxQueries Outbox { get; set; } = default!;

    [Inject]
    private OutboxMonitor Monitor { get; set; } = default!;

    [Inject]
    private CurrentActor CurrentActor { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<MailPage> Logger { get; set; } = default!;

    public void Dispose() => _subscription?.Dispose();

    protected override async Task OnInitializedAsync()
    {
        // Mail this node sends or queues again shows at once; another node's, at the next load.
        _subscription = Monitor.Subscribe(() => InvokeAsync(LoadAsync));
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            _mails = await Outbox.ListAsync(_filter == "all" ? null : Enum.Parse<OutboxStatus>(_filter));
            _loadFailed = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "The outbox could not be read.");
            _loadFailed = true;
        }

        StateHasChanged();
    }

    private async Task OnFilterChangedAsync(string? filter)
    {
        _filter = filter ?? "all";
        _mails = null;
        await LoadAsync();
    }

    private async Task RetryAsync(OutboxEntry mail)
    {
        if (!_retrying.Add(mail.Id))
        {
            return;
        }

        try
        {
            var queued = await Outbox.RetryAsync(await CurrentActor.GetAsync(), mail.Id);
            Snackbar.Add(queued ? $"The mail to {mail.Recipient} is queued again." : "That mail is no longer failed; the list is up to date now.", queued ? Severity.Success : Severity.Info);
            await LoadAsync();
        }
        finally
        {
            _retrying.Remove(mail.Id);
        }
    }

    private static Color ColorOf(OutboxStatus status) => status switch
    {
        OutboxStatus.Sent => Color.Success,
        OutboxStatus.Failed => Color.Error,
        _ => Color.Default,
    };

    private static string StatusText(OutboxEntry mail) => mail.Status switch
    {
        OutboxStatus.Sent => $"Sent {Format(mail.SentAtUtc!.Value)}",
        OutboxStatus.Failed => "Failed",
        _ when mail.Attempts == 0 => "Queued",
        _ => $"Next try {Format(mail.NextAttemptAtUtc)}",
    };

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
