using System.Globalization;
using System.Text;

namespace SecretAdmin.Features.Settings;

/// <summary>
/// The one rule for every text a person types into a setting or a form, on a page or on the
/// command line: no control characters (C0 with NUL, tab, CR and LF; DEL; C1), no invisible
/// formatting characters (bidi overrides and isolates, direction and zero-width marks, byte order
/// marks), no line or paragraph separators and no broken UTF-16; and at most a bound per field.
/// Such characters can drive a terminal, forge a mail header or a log line, or make a value read
/// differently from what it is. <see cref="Escape"/> is its counterpart for output.
/// </summary>
public static class TextInput
{
    /// <summary>
    /// Checks <paramref name="value"/> of <paramref name="field"/>; a message naming it by
    /// <paramref name="label"/> is added when it breaks the rule. True when it passes, so the
    /// field's own checks may run (they never see a value with control characters).
    /// </summary>
    public static bool Check(ValidationErrors errors, string field, string label, string? value, int maxLength)
    {
        if (Problem(label, value, maxLength) is { } problem)
        {
            errors.Add(field, problem);
            return false;
        }

        return true;
    }

    /// <summary>Checks every text input of <paramref name="form"/>.</summary>
    public static void Check(ValidationErrors errors, ITextInputForm form)
    {
        foreach (var input in form.TextInputs())
        {
            Check(errors, input.Field, input.Label, input.Value, input.MaxLength);
        }
    }

    /// <summary>The messages of the text inputs of <paramref name="form"/> that break the rule, by field.</summary>
    public static IReadOnlyDictionary<string, string[]> Problems(ITextInputForm form)
    {
        var errors = new ValidationErrors();
        Check(errors, form);
        return errors.ToDictionary();
    }

    /// <summary>The message for <paramref name="value"/>, or null when it keeps the rule. Length counts the trimmed text, as it is stored.</summary>
    public static string? Problem(string label, string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (FirstUnsafe(value) is { } found)
        {
            return $"{label} must not contain control characters (such as line breaks, tabs or escapes) or invisible formatting characters (such as direction marks); it contains {found}.";
        }

        return value.Trim().Length > maxLength ? $"{label} must be at most {maxLength} characters." : null;
    }

    /// <summary>Whether <paramref name="value"/> holds a character the rule refuses.</summary>
    public static bool HasUnsafe(string? value) => value is not null && FirstUnsafe(value) is not null;

    /// <summary>
    /// <paramref name="value"/> with every character the rule refuses written as a visible escape
    /// (<c>\r</c>, <c>\n</c>, <c>\t</c>, <c>\u001B</c>, <c>\u202E</c>), so text stored by an older
    /// version, or edited in the database, cannot drive the terminal it is printed on.
    /// </summary>
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value) || FirstUnsafe(value) is null)
        {
            return value ?? "";
        }

        var text = new StringBuilder(value.Length + 16);
        var index = 0;
        while (index < value.Length)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(index), out var rune, out var length) != System.Buffers.OperationStatus.Done)
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)value[index]:X4}");
                index++;
                continue;
            }

            if (!IsUnsafe(rune))
            {
                text.Append(value, index, length);
            }
            else
            {
                text.Append(rune.Value switch
                {
                    '\r' => @"\r",
                    '\n' => @"\n",
                    '\t' => @"\t",
                    <= 0xFFFF => string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}"),
                    _ => string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:X8}"),
                });
            }

            index += length;
        }

        return text.ToString();
    }

    /// <summary>Control characters, format characters (bidi controls, zero-width and direction marks, BOM), line and paragraph separators.</summary>
    public static bool IsUnsafe(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>The first refused character as U+XXXX (with its name for the common ones), or null.</summary>
    private static string? FirstUnsafe(string value)
    {
        var index = 0;
        while (index < value.Length)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(index), out var rune, out var length) != System.Buffers.OperationStatus.Done)
            {
                return string.Create(CultureInfo.InvariantCulture, $"U+{(int)value[index]:X4} (half of a character)");
            }

            if (IsUnsafe(rune))
            {
                var code = string.Create(CultureInfo.InvariantCulture, $"U+{rune.Value:X4}");
                return rune.Value switch
                {
                    0 => $"{code} (NUL)",
                    '\t' => $"{code} (tab)",
                    '\n' => $"{code} (line feed)",
                    '\r' => $"{code} (carriage return)",
                    0x1B => $"{code} (escape)",
                    _ => code,
                };
            }

            index += length;
        }

        return null;
    }
}
