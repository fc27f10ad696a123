using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SecretAdmin.Commands;

/// <summary>
/// A secret piped to a command (<c>--password-stdin</c>, <c>--client-secret-stdin</c>): standard
/// input read as bytes and decoded as strict UTF-8, a leading byte order mark and the trailing
/// line breaks dropped. Input that is empty, only a line break, or not UTF-8 is refused, never
/// taken for a secret. Nothing here prints the secret.
/// </summary>
internal static class StandardInputSecret
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Runs <paramref name="command"/> with the secret on standard input when <paramref name="option"/>
    /// was given (with null when it was not). Refused input is one line on standard error naming the
    /// option — <c>--password-stdin: standard input was empty</c> — and exit code 1; the command does not run.
    /// </summary>
    public static async Task<int> RunWithAsync(string? option, Func<string?, Task<int>> command, CancellationToken cancellationToken)
    {
        if (option is null)
        {
            return await command(null);
        }

        await using var input = Console.OpenStandardInput();
        using var bytes = new MemoryStream();
        await input.CopyToAsync(bytes, cancellationToken);
        if (!TryDecode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), out var secret, out var problem))
        {
            await Console.Error.WriteLineAsync($"{option}: {problem}");
            return 1;
        }

        return await command(secret);
    }

    private static bool TryDecode(ReadOnlySpan<byte> input, [NotNullWhen(true)] out string? secret, [NotNullWhen(false)] out string? problem)
    {
        secret = null;
        problem = null;

        // A byte order mark is how some editors and Windows tools begin UTF-8, not part of the secret.
        var byteOrderMark = "\uFEFF"u8;
        if (input.StartsWith(byteOrderMark))
        {
            input = input[byteOrderMark.Length..];
        }

        if (input.IsEmpty)
        {
            problem = "standard input was empty";
            return false;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(input);
        }
        catch (DecoderFallbackException)
        {
            problem = "standard input is not valid UTF-8";
            return false;
        }

        secret = text.TrimEnd('\r', '\n');
        if (secret.Length == 0)
        {
            secret = null;
            problem = "standard input held only a line break";
            return false;
        }

        return true;
    }
}
