using System.Text;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Commands;

/// <summary>
/// Standard output or error of a command, with every character the text rule refuses written as a
/// visible escape (<see cref="TextInput.Escape"/>) and only line breaks passed on: an argument
/// echoed in a parse error, a stored value or a log line cannot move the cursor, recolour, retitle
/// or clear the operator's terminal, nor reverse the text shown there.
/// </summary>
internal sealed class TerminalSafeWriter(TextWriter inner) : TextWriter
{
    private readonly bool _crLfLines = Environment.NewLine == "\r\n";
    private char? _pendingHighSurrogate;

    public override Encoding Encoding => inner.Encoding;

    /// <summary>Wraps the console's standard output and error, for the rest of the process.</summary>
    public static void Install()
    {
        Console.SetOut(new TerminalSafeWriter(Console.Out));
        Console.SetError(new TerminalSafeWriter(Console.Error));
    }

    public override void Write(char value) => WriteText(value.ToString());

    public override void Write(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            WriteText(value);
        }
    }

    public override void Write(char[] buffer, int index, int count) => WriteText(new string(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer) => WriteText(new string(buffer));

    public override void Flush() => inner.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _pendingHighSurrogate is { } high)
        {
            _pendingHighSurrogate = null;
            inner.Write(TextInput.Escape(high.ToString()));
            inner.Flush();
        }

        base.Dispose(disposing);
    }

    private void WriteText(string text)
    {
        // A character written in two halves is escaped (or not) whole.
        if (_pendingHighSurrogate is { } high)
        {
            text = high + text;
            _pendingHighSurrogate = null;
        }

        if (text.Length > 0 && char.IsHighSurrogate(text[^1]))
        {
            _pendingHighSurrogate = text[^1];
            text = text[..^1];
        }

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var endsWithCr = _crLfLines && i < lines.Length - 1 && line.EndsWith('\r');
            inner.Write(TextInput.Escape(endsWithCr ? line[..^1] : line));
            if (i < lines.Length - 1)
            {
                inner.Write(endsWithCr ? "\r\n" : "\n");
            }
        }
    }
}
