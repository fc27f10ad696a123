using Microsoft.AspNetCore.Components.Forms;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// What a settings page holds while it edits one settings area — the stored settings, the form and
/// its <see cref="Microsoft.AspNetCore.Components.Forms.EditContext"/>, and whether it is loading,
/// failed to load, saving or met someone else's save — and the two steps every such page takes
/// the same way. The page calls them with its own service's methods.
/// </summary>
public sealed class SettingsEditor<TView, TForm>
    where TView : class
    where TForm : class, new()
{
    public TView? View { get; private set; }

    public TForm Form { get; private set; } = new();

    public EditContext? EditContext { get; private set; }

    public bool Loading { get; private set; } = true;

    public bool LoadFailed { get; private set; }

    public bool Saving { get; private set; }

    /// <summary>Someone else saved after this page loaded; nothing was saved here.</summary>
    public bool Conflict { get; private set; }

    /// <summary>Loads the stored settings and fills a new form from them (typed secrets and Clear flags start empty).</summary>
    public async Task LoadAsync(Func<Task<TView>> load, Func<TView, TForm> toForm, ILogger logger)
    {
        Loading = true;
        try
        {
            View = await load();
            Form = toForm(View);
            EditContext = new EditContext(Form);
            Conflict = false;
            LoadFailed = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "The settings could not be loaded.");
            LoadFailed = true;
        }
        finally
        {
            Loading = false;
        }
    }

    /// <summary>
    /// Validates the form, then saves it with <paramref name="save"/> (given the form and the version
    /// it started from): true once saved; a conflict sets <see cref="Conflict"/>; a refusal shows the
    /// service's messages on their fields through <paramref name="validator"/>.
    /// </summary>
    public async Task<bool> SaveAsync(Func<TForm, TView, Task<SettingsSaveResult>> save, SettingsFormValidator validator)
    {
        if (Saving || View is null || EditContext?.Validate() != true)
        {
            return false;
        }

        Saving = true;
        try
        {
            var result = await save(Form, View);
            switch (result.Outcome)
            {
                case SettingsSaveOutcome.Conflict:
                    Conflict = true;
                    break;
                case SettingsSaveOutcome.Invalid:
                    validator.ShowSaveErrors(result.Errors);
                    break;
            }

            return result.Succeeded;
        }
        finally
        {
            Saving = false;
        }
    }
}
