using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace SecretAdmin.Features.Settings;

public static class SettingsDialogs
{
    /// <summary>
    /// Whether a settings page may load the stored settings again over <paramref name="form"/>:
    /// at once when nothing was edited, else only when the person confirms that their edits are discarded.
    /// </summary>
    public static async Task<bool> ConfirmReloadAsync(this IDialogService dialogs, EditContext form)
    {
        if (!form.IsModified())
        {
            return true;
        }

        var confirmed = await dialogs.ShowMessageBoxAsync(
            "Reload the stored settings?",
            "Your unsaved changes on this page are discarded, and the settings as someone else saved them are shown.",
            yesText: "Reload",
            cancelText: "Cancel");
        return confirmed == true;
    }
}
