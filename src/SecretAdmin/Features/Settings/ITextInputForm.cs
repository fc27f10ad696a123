namespace SecretAdmin.Features.Settings;

/// <summary>A form whose text inputs <see cref="TextInput"/> checks, each with its label and bound.</summary>
public interface ITextInputForm
{
    IEnumerable<TextInputField> TextInputs();
}
