namespace SecretAdmin.Features.Settings;

/// <summary>One text input of a form: its property name, the label its messages name it by, its value and its bound.</summary>
public readonly record struct TextInputField(string Field, string Label, string? Value, int MaxLength);
