using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// Shows a settings form's messages on its fields, in a <see cref="ValidationMessageStore"/> of the
/// cascading <see cref="EditContext"/>: the feature's shared validator's messages for the fields
/// edited so far (for every field once the form was submitted), the messages of a refused save,
/// the text rule's messages on stored values from the moment the form opens (<see cref="TextInput"/>),
/// and on the SMTP page those of a test mail. A save's and a test mail's message on a field last
/// until that field is edited; the form's general message (key "") until any field is.
/// </summary>
public sealed class SettingsFormValidator : ComponentBase, IDisposable
{
    /// <summary>Where <see cref="ShowsErrors"/> finds whether this validator shows a message that stops a save.</summary>
    private static readonly object ShowsErrorsKey = new();

    private EditContext? _editContext;
    private ValidationMessageStore? _messages;
    private IReadOnlyDictionary<string, string[]> _ruleErrors = new Dictionary<string, string[]>();
    private Dictionary<string, string[]> _saveErrors = new(StringComparer.Ordinal);
    private Dictionary<string, string[]> _testMailErrors = new(StringComparer.Ordinal);
    private bool _submitted;
    private bool _showAfterRender;

    [CascadingParameter]
    private EditContext? CurrentEditContext { get; set; }

    /// <summary>The feature's shared validator applied to the form's current values: messages by form property name.</summary>
    [Parameter, EditorRequired]
    public Func<IReadOnlyDictionary<string, string[]>> Validate { get; set; } = default!;

    /// <summary>Whether the form shows a message of its validator or of a refused save (a test mail's messages do not count).</summary>
    public static bool ShowsErrors(EditContext editContext) =>
        editContext.Properties.TryGetValue(ShowsErrorsKey, out var shows) && shows is true;

    /// <summary>The messages of a save the service refused, keyed by form property name ("" for the whole form).</summary>
    public void ShowSaveErrors(IReadOnlyDictionary<string, string[]> errors)
    {
        _saveErrors = new Dictionary<string, string[]>(errors, StringComparer.Ordinal);
        Show();
    }

    /// <summary>The messages of a test mail on the settings' fields, keyed by form property name; none clears them.</summary>
    public void ShowTestMailErrors(IReadOnlyDictionary<string, string[]> errors)
    {
        _testMailErrors = new Dictionary<string, string[]>(errors, StringComparer.Ordinal);
        Show();
    }

    protected override void OnParametersSet()
    {
        if (CurrentEditContext is null)
        {
            throw new InvalidOperationException($"{nameof(SettingsFormValidator)} belongs inside an EditForm.");
        }

        if (CurrentEditContext != _editContext)
        {
            Detach();
            _editContext = CurrentEditContext;
            _messages = new ValidationMessageStore(_editContext);
            _editContext.OnFieldChanged += FieldChanged;
            _editContext.OnValidationRequested += ValidationRequested;
            _ruleErrors = new Dictionary<string, string[]>();
            _testMailErrors.Clear();
            _submitted = false;

            // A value stored by an older version (or edited in the database) that breaks the text
            // rule is marked as soon as the form opens, like a refused save's, until it is edited.
            // They are shown once the fields have rendered and listen for messages.
            _saveErrors = _editContext.Model is ITextInputForm form
                ? new Dictionary<string, string[]>(TextInput.Problems(form), StringComparer.Ordinal)
                : new Dictionary<string, string[]>(StringComparer.Ordinal);
            _showAfterRender = _saveErrors.Count > 0;
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (_showAfterRender)
        {
            _showAfterRender = false;
            Show();
        }
    }

    public void Dispose() => Detach();

    private void FieldChanged(object? sender, FieldChangedEventArgs e)
    {
        _saveErrors.Remove(e.FieldIdentifier.FieldName);
        _saveErrors.Remove("");
        _testMailErrors.Remove(e.FieldIdentifier.FieldName);
        _ruleErrors = Validate();
        Show();
    }

    /// <summary>The form is submitted: every field's message shows, and only the validator's decide whether it may be saved.</summary>
    private void ValidationRequested(object? sender, ValidationRequestedEventArgs e)
    {
        _submitted = true;
        _saveErrors.Clear();
        _testMailErrors.Clear();
        _ruleErrors = Validate();
        Show();
    }

    /// <summary>One message per field, as the inputs show one: the validator's if shown, else the save's, else the test mail's.</summary>
    private void Show()
    {
        if (_editContext is null || _messages is null)
        {
            return;
        }

        var shown = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, messages) in _ruleErrors)
        {
            if (_submitted || _editContext.IsModified(new FieldIdentifier(_editContext.Model, field)))
            {
                shown[field] = messages;
            }
        }

        foreach (var (field, messages) in _saveErrors)
        {
            shown.TryAdd(field, messages);
        }

        _editContext.Properties[ShowsErrorsKey] = shown.Count > 0;
        foreach (var (field, messages) in _testMailErrors)
        {
            shown.TryAdd(field, messages);
        }

        _messages.Clear();
        foreach (var (field, messages) in shown)
        {
            _messages.Add(new FieldIdentifier(_editContext.Model, field), string.Join(" ", messages));
        }

        _editContext.NotifyValidationStateChanged();
    }

    private void Detach()
    {
        if (_editContext is not null)
        {
            _editContext.OnFieldChanged -= FieldChanged;
            _editContext.OnValidationRequested -= ValidationRequested;
            _editContext.Properties.Remove(ShowsErrorsKey);
            _messages?.Clear();
        }
    }
}
