using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.Components.Shared;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Users;

public partial class UsersPage
{
    private static readonly int[] PageSizes = [10, 25, 50, 100];

    private static readonly DialogOptions CreateOptions = new()
    {
        MaxWidth = MaxWidth.Small,
        FullWidth = true,
        // A stray click outside must not throw away what was typed (or a password not yet handed over).
        BackdropClick = false,
        CloseButton = true,
    };

    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);
    private MudDataGrid<UserSummary> _grid = default!;
    private string? _search;
    private string? _me;
    private bool _loadFailed;

    [Inject]
    private UserAdminService Users { get; set; } = default!;

    [Inject]
    private CurrentActor CurrentActor { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<UsersPage> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync() => _me = (await CurrentActor.GetAsync()).Name;

    private async Task<GridData<UserSummary>> LoadAsync(GridState<UserSummary> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var query = new UserQuery(
            _search,
            state.Page,
            state.PageSize,
            sort?.SortBy == nameof(UserSummary.LastSignInAtUtc) ? UserSort.LastSignIn : UserSort.Email,
            sort?.Descending ?? false);
        try
        {
            // Off the circuit's thread for the same reason as a change (see ChangeAsync).
            var page = await Task.Run(() => Users.SearchAsync(query, cancellationToken), cancellationToken);
            SetLoadFailed(false);
            return new GridData<UserSummary> { Items = page.Items, TotalItems = page.TotalCount };
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The page says only that loading failed; what went wrong is for the server log.
            Logger.LogError(exception, "The users could not be loaded");
            SetLoadFailed(true);
            return new GridData<UserSummary> { Items = [], TotalItems = 0 };
        }
    }

    private void SetLoadFailed(bool failed)
    {
        if (_loadFailed != failed)
        {
            _loadFailed = failed;
            StateHasChanged();
        }
    }

    private async Task SearchChangedAsync(string? search)
    {
        _search = search;
        if (_grid.CurrentPage > 0)
        {
            // Going back to the first page loads it with the new search.
            _grid.NavigateTo(Page.First);
        }
        else
        {
            await _grid.ReloadServerData();
        }
    }

    private async Task CreateUserAsync()
    {
        var dialog = await Dialogs.ShowAsync<CreateUserDialog>("Create user", CreateOptions);
        if (await dialog.Result is { Canceled: false, Data: string email })
        {
            Snackbar.Add($"Created {email}. They choose their own password at first sign-in.", Severity.Success);
            await _grid.ReloadServerData();
        }
    }

    private async Task DisableAsync(UserSummary user)
    {
        var message = IsMe(user)
            ? "This is your own account: you will be signed out within a minute and cannot sign in again until another administrator enables it."
            : $"{user.Email} will be signed out within a minute and cannot sign in until an administrator enables the account again.";
        if (await Dialogs.ConfirmAsync("Disable user?", message, "Disable"))
        {
            await ChangeAsync(user, actor => Users.SetDisabledAsync(actor, user.Id, disabled: true), $"{user.Email} is disabled.");
        }
    }

    private Task EnableAsync(UserSummary user) =>
        ChangeAsync(user, actor => Users.SetDisabledAsync(actor, user.Id, disabled: false), $"{user.Email} is enabled.");

    private Task GrantAdminAsync(UserSummary user) =>
        ChangeAsync(user, actor => Users.SetAdminAsync(actor, user.Id, admin: true), $"{user.Email} is now an administrator.");

    private async Task RevokeAdminAsync(UserSummary user)
    {
        var message = IsMe(user)
            ? "This is your own account: within a minute you lose access to the administrators' pages, this one included."
            : $"{user.Email} loses access to settings, users, the audit log and keys within a minute.";
        if (await Dialogs.ConfirmAsync("Revoke administrator?", message, "Revoke"))
        {
            await ChangeAsync(user, actor => Users.SetAdminAsync(actor, user.Id, admin: false), $"{user.Email} is no longer an administrator.");
        }
    }

    private async Task ResetMfaAsync(UserSummary user)
    {
        var message = $"{user.Email}'s second factors ({string.Join(", ", user.Factors.Names).ToLowerInvariant()}) and recovery codes are removed. They sign in with their password alone until they set up a second factor again.";
        if (await Dialogs.ConfirmAsync("Reset two-factor sign-in?", message, "Reset"))
        {
            await ChangeAsync(user, actor => Users.ResetMfaAsync(actor, user.Id), $"Two-factor sign-in of {user.Email} is reset.");
        }
    }

    private Task UnlockAsync(UserSummary user) =>
        ChangeAsync(user, actor => Users.UnlockAsync(actor, user.Id), $"{user.Email} is unlocked.");

    /// <summary>Runs one change for a row: its buttons are disabled meanwhile, the outcome is a snackbar.</summary>
    private async Task ChangeAsync(UserSummary user, Func<AuditActor, Task<UserChangeResult>> change, string doneMessage)
    {
        if (!_busy.Add(user.Id))
        {
            return;
        }

        try
        {
            var actor = await CurrentActor.GetAsync();
            // A database provider may complete its "async" calls synchronously, and a busy database is
            // waited for; off the circuit's thread, the row shows its progress meanwhile.
            var result = await Task.Run(() => change(actor));
            if (result.Succeeded)
            {
                Snackbar.Add(doneMessage, Severity.Success);
                await _grid.ReloadServerData();
            }
            else
            {
                Snackbar.Add(result.Message, Severity.Error);
            }
        }
        catch (Exception exception)
        {
            Logger.LogError(exception, "A change to user {UserId} failed", user.Id);
            Snackbar.Add("The change could not be made. The server log has the details.", Severity.Error);
        }
        finally
        {
            _busy.Remove(user.Id);
        }
    }

    private bool IsBusy(UserSummary user) => _busy.Contains(user.Id);

    private bool IsMe(UserSummary user) => string.Equals(user.Email, _me, StringComparison.OrdinalIgnoreCase);

    internal static IEnumerable<(string Label, Color Color)> StatusesOf(UserSummary user)
    {
        var any = false;
        if (user.IsDisabled)
        {
            any = true;
            yield return ("Disabled", Color.Error);
        }

        if (user.IsLockedOut)
        {
            any = true;
            yield return ("Locked", Color.Warning);
        }

        if (user.MustChangePassword)
        {
            any = true;
            yield return ("Must change password", Color.Info);
        }

        if (!any)
        {
            yield return ("Active", Color.Success);
        }
    }

    /// <summary>"23 Nov 2026, 14:05 UTC"; in a narrow column it breaks after the comma only.</summary>
    internal static string FormatUtc(DateTime utc) =>
        utc.ToString("d\u00a0MMM\u00a0yyyy, HH:mm\u00a0'UTC'", CultureInfo.InvariantCulture);
}
