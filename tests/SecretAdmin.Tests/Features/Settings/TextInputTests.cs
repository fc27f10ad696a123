using SecretAdmin.Features.Settings;

namespace SecretAdmin.Tests.Features.Settings;

/// <summary>The text rule itself, and its counterpart for output: which characters it refuses, its messages, its escapes.</summary>
public sealed class TextInputTests
{
    public static TheoryData<int> RefusedCharacters()
    {
        var data = new TheoryData<int>();
        for (var c = 0; c <= 0x1F; c++)
        {
            data.Add(c);
        }

        for (var c = 0x7F; c <= 0x9F; c++)
        {
            data.Add(c);
        }

        foreach (var c in new[] { 0x00AD, 0x061C, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2028, 0x2029, 0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF, 0xFFF9, 0xE0001 })
        {
            data.Add(c);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedCharacters))]
    public void Problem_ControlOrFormatCharacter_NamesTheFieldAndTheCharacter(int codePoint)
    {
        var value = "Con" + char.ConvertFromUtf32(codePoint) + "toso";

        var problem = TextInput.Problem("Issuer", value, 100);

        Assert.NotNull(problem);
        Assert.StartsWith("Issuer must not contain control characters", problem, StringComparison.Ordinal);
        Assert.Contains($"U+{codePoint:X4}", problem, StringComparison.Ordinal);
        Assert.False(TextInput.HasUnsafe(problem));
        Assert.DoesNotContain(char.ConvertFromUtf32(codePoint), TextInput.Escape(value), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0xD800, "")]
    [InlineData(0xDC00, "x")]
    public void Problem_HalfACharacter_IsRefused(int half, string after)
    {
        var value = (char)half + after;

        Assert.Contains("(half of a character)", TextInput.Problem("Issuer", value, 100), StringComparison.Ordinal);
        Assert.Equal($"\\u{half:X4}{after}", TextInput.Escape(value));
    }

    [Theory]
    [InlineData("Zürich Ünïcode 東京")]
    [InlineData("Ελληνικά, עברית, हिन्दी")]
    [InlineData("emoji 🔐 and a space\u00A0that does not break")]
    [InlineData(@"CORP\mailer")]
    [InlineData("")]
    [InlineData(null)]
    public void Problem_PrintableTextOfAnyScript_IsAccepted(string? value)
    {
        Assert.Null(TextInput.Problem("Button label", value, 100));
        Assert.Equal(value ?? "", TextInput.Escape(value));
    }

    [Fact]
    public void Problem_OverTheBound_SaysTheBound()
    {
        Assert.Equal("Issuer must be at most 100 characters.", TextInput.Problem("Issuer", new string('x', 101), 100));
        Assert.Null(TextInput.Problem("Issuer", new string('x', 100), 100));
        Assert.Null(TextInput.Problem("Issuer", "  " + new string('x', 100) + "  ", 100));
    }

    [Theory]
    [InlineData("a\r\nb", @"a\r\nb")]
    [InlineData("a\tb", @"a\tb")]
    [InlineData("\u001B[31mred\u001B[0m", @"\u001B[31mred\u001B[0m")]
    [InlineData("\u001B]0;title\u0007", @"\u001B]0;title\u0007")]
    [InlineData("abc\u202Efed", @"abc\u202Efed")]
    [InlineData("a\0b", @"a\u0000b")]
    [InlineData("a\u009Bb", @"a\u009Bb")]
    [InlineData("tag\U000E0041", @"tag\U000E0041")]
    [InlineData("Zürich 東京 🔐", "Zürich 東京 🔐")]
    public void Escape_WritesRefusedCharactersAsVisibleEscapes(string value, string expected)
    {
        Assert.Equal(expected, TextInput.Escape(value));
    }
}
