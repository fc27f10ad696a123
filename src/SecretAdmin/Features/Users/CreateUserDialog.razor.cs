using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.JSInterop;
using MudBlazor;
using SecretAdmin.Access;
using SecretAdmin.Features.Mail;

namespace SecretAdmin.Features.Users;

public partial class CreateUserDialog : IDisposable
{
    private readonly CreateUserForm _form = new();
    private readonly List<string> _generalErrors = [];
    private EditContext _editContext = default!;
    private ValidationMessageStore _serverErrors = default!;
    private bool _showPassword;
    private bool _showsGeneratedPassword;
    private bool _saving;
    private string? _inviteUnavailable;

    [CascadingParameter]
    private IMudDialogInstance MudDialog { get; set; } = default!;

    [Inject]
    private UserAdminService Users { get; set; } = default!;

    [Inject]
    private CurrentActor CurrentActor { get; set; } = default!;

    [Inject]
    private MailAvailability Mail { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<CreateUserDialog> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _editContext = new EditContext(_form);
        _serverErrors = new ValidationMessageStore(_editContext);
        _editContext.OnFieldChanged += ClearServerErrorsOfField;

        // An invitation when mail can carry it; otherwise a temporary password, with why.
        _inviteUnavailable = await Mail.WhyUnavailableAsync();
        _form.Invite = _inviteUnavailable is null;
    }

    private FieldIdentifier EmailField => _editContext.Field(nameof(CreateUserForm.Email));

    private FieldIdentifier PasswordField => _editContext.Field(nameof(CreateUserForm.Password));

    private void ClearServerErrorsOfField(object? sender, FieldChangedEventArgs e) => _serverErrors.Clear(e.FieldIdentifier);

    private void PasswordChanged(string? password)
    {
        _form.Password = password;
        // A password typed over the generated one is the admin's own: no "hand this over" notice.
        _showsGeneratedPassword = false;
    }

    private void TogglePasswordVisibility() => _showPassword = !_showPassword;

    private void GeneratePassword()
    {
        _form.Password = TemporaryPassword.Generate();
        _showPassword = true;
        _showsGeneratedPassword = true;
        _editContext.NotifyFieldChanged(PasswordField);
    }

    private async Task CopyPasswordAsync()
    {
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _form.Password);
            Snackbar.Add("Password copied to the clipboard.", Severity.Info);
        }
        catch (JSException)
        {
            // The browser may refuse clipboard access (a page not served over HTTPS, a denied permission).
            Snackbar.Add("The browser did not allow copying; select the password and copy it by hand.", Severity.Warning);
        }
    }

    private async Task CreateAsync()
    {
        _serverErrors.Clear();
        _generalErrors.Clear();
        if (_saving || !_editContext.Validate())
        {
            return;
        }

        _saving = true;
        try
        {
            var email = _form.Email!.Trim();
            var (actor, password, isAdmin, invite) = (await CurrentActor.GetAsync(), _form.Password, _form.IsAdmin, _form.Invite);
            // Hashing the password and a database provider's synchronous "async" calls run off the circuit's
            // thread, so the dialog shows its progress meanwhile.
            var result = await Task.Run(() => invite ? Users.InviteAsync(actor, email, isAdmin) : Users.CreateAsync(actor, email, password!, isAdmin));
            if (result.Succeeded)
            {
                MudDialog.Close(DialogResult.Ok(email));
                return;
            }

            ShowRefusal(result);
        }
        catch (Exception exception)
        {
            Logger.LogError(exception, "A user could not be created");
            _generalErrors.Add("The user could not be created. The server log has the details.");
        }
        finally
        {
            _saving = false;
        }
    }

    private void ShowRefusal(UserChangeResult result)
    {
        foreach (var (field, messages) in result.Errors)
        {
            switch (field)
            {
                case "email":
                    _serverErrors.Add(EmailField, messages);
                    break;
                case "password":
                    _serverErrors.Add(PasswordField, messages);
                    break;
                default:
                    _generalErrors.AddRange(messages);
                    break;
            }
        }

        _editContext.NotifyValidationStateChanged();
    }

    private void Cancel() => MudDialog.Cancel();

    public void Dispose() => _editContext.OnFieldChanged -= ClearServerErrorsOfField;
}
