using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace SecretAdmin.Components.Shared;

/// <summary>
/// Text such as an email address or a provider account (<c>sso:https://id.example|sub</c>) that
/// may wrap only where a reader expects it: before a dot, after <c>@</c>, <c>/</c> or <c>|</c>.
/// Its cell breaks inside a word (<c>overflow-wrap: break-word</c>) only when one part alone is
/// wider than the column; unlike <c>anywhere</c>, that does not let a table squeeze the column.
/// </summary>
public sealed class WrapAtPunctuation : ComponentBase
{
    [Parameter, EditorRequired]
    public string? Text { get; set; }

    internal static IEnumerable<string> Parts(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var breakBefore = text[i] == '.' && i > start;
            var breakAfter = text[i] is '@' or '/' or '|' && i + 1 < text.Length;
            if (breakBefore)
            {
                yield return text[start..i];
                start = i;
            }

            if (breakAfter)
            {
                yield return text[start..(i + 1)];
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "span");
        builder.AddAttribute(1, "class", "wrap-at-punctuation");
        var first = true;
        foreach (var part in Parts(Text ?? ""))
        {
            if (!first)
            {
                builder.AddMarkupContent(2, "<wbr>");
            }

            builder.AddContent(3, part);
            first = false;
        }

        builder.CloseElement();
    }
}
