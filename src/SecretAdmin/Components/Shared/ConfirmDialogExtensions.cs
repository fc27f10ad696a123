using MudBlazor;

namespace SecretAdmin.Components.Shared;

public static class ConfirmDialogExtensions
{
    private static readonly DialogOptions Options = new() { MaxWidth = MaxWidth.ExtraSmall, FullWidth = true };

    /// <summary>Asks <paramref name="message"/> in a <see cref="ConfirmDialog"/>; true only when the person confirms.</summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, string message, string confirmText, Color confirmColor = Color.Error)
    {
        var parameters = new DialogParameters<ConfirmDialog>
        {
            { d => d.Message, message },
            { d => d.ConfirmText, confirmText },
            { d => d.ConfirmColor, confirmColor },
        };
        var dialog = await dialogs.ShowAsync<ConfirmDialog>(title, parameters, Options);
        return await dialog.Result is { Canceled: false };
    }
}
