using Microsoft.AspNetCore.Components;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// What the OIDC, SMTP and MFA-policy pages share: load the stored settings into a form, show
/// each field's message once it was touched (or on save), save through the service, and on a
/// lost-update conflict say so and offer to reload — never overwrite.
/// </summary>
public abstract class SettingsPageBase<TView> : ComponentBase
    where TView : class
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private bool _submitted;

    [Inject]
    protected CurrentActor CurrentActor { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    protected TView? View { get; private set; }

    protected bool Loading { get; private set; } = true;

    protected bool Saving { get; private set; }

    protected bool LoadFailed { get; private set; }

    /// <summary>Someone else saved after this page loaded; nothing was saved here.</summary>
    protected bool Conflict { get; private set; }

    protected IReadOnlyDictionary<string, string[]> Errors { get; private set; } = NoErrors;

    /// <summary>What the snackbar calls the settings, e.g. "OIDC settings".</summary>
    protected abstract string What { get; }

    protected abstract Task<TView> LoadAsync();

    protected abstract long VersionOf(TView view);

    /// <summary>Fills the form from the stored settings; typed secrets and Clear flags start empty.</summary>
    protected abstract void ResetForm(TView view);

    protected abstract IReadOnlyDictionary<string, string[]> Validate(TView view);

    protected abstract Task<SettingsSaveResult> SaveAsync(AuditActor actor, long version);

    protected override Task OnInitializedAsync() => ReloadAsync();

    protected bool HasError(string field) => ErrorFor(field) is not null;

    /// <summary>Whether any field shows a message now.</summary>
    protected bool HasShownErrors => Errors.Keys.Any(HasError);

    protected string? ErrorFor(string field) =>
        (_submitted || _touched.Contains(field)) && Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>Called after a field changes: its message (and others touched) follow the current values.</summary>
    protected void Touched(string field)
    {
        _touched.Add(field);
        if (View is not null)
        {
            Errors = Validate(View);
        }
    }

    protected async Task SubmitAsync()
    {
        if (View is null || Saving)
        {
            return;
        }

        _submitted = true;
        Errors = Validate(View);
        if (Errors.Count > 0)
        {
            return;
        }

        Saving = true;
        try
        {
            var result = await SaveAsync(await CurrentActor.GetAsync(), VersionOf(View));
            switch (result.Outcome)
            {
                case SettingsSaveOutcome.Saved:
                    Snackbar.Add($"{What} saved.", Severity.Success);
                    await ReloadAsync();
                    break;
                case SettingsSaveOutcome.Conflict:
                    Conflict = true;
                    break;
                default:
                    Errors = result.Errors;
                    break;
            }
        }
        finally
        {
            Saving = false;
        }
    }

    /// <summary>Loads the stored settings again, after asking when there are edits to lose.</summary>
    protected async Task ReloadDiscardingEditsAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Reload the stored settings?",
            "Your unsaved changes on this page are discarded, and the settings as someone else saved them are shown.",
            yesText: "Reload",
            cancelText: "Cancel");
        if (confirmed == true)
        {
            await ReloadAsync();
        }
    }

    private async Task ReloadAsync()
    {
        Loading = true;
        try
        {
            View = await LoadAsync();
            ResetForm(View);
            Errors = NoErrors;
            Conflict = false;
            LoadFailed = false;
            _submitted = false;
            _touched.Clear();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LoadFailed = true;
        }
        finally
        {
            Loading = false;
        }
    }
}
