using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using SecretAdmin.Access;

namespace SecretAdmin.Features.Account;

/// <summary>The signed-in user's own profile: email, roles, two-factor state, dates.</summary>
public partial class AccountPage
{
    private AccountProfile? _profile;
    private bool _loading = true;
    private bool _failed;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private AccountProfileService Profiles { get; set; } = default!;

    [Inject]
    private ILogger<AccountPage> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        try
        {
            if (AuthenticationState is not null)
            {
                _profile = await Profiles.GetAsync((await AuthenticationState).User);
            }
        }
        catch (Exception exception)
        {
            // The page says only that loading failed; what went wrong is for the server log.
            Logger.LogError(exception, "The account profile could not be loaded");
            _failed = true;
        }
        finally
        {
            _loading = false;
        }
    }

    internal static string FormatTime(DateTime utc) =>
        utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static Color RoleColor(string role) => role == Roles.Admin ? Color.Primary : Color.Default;
}
