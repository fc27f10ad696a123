using System.Security.Claims;
using System.Text.Json;

namespace SecretAdmin.Features.Sso;

/// <summary>What the configured role claim held: its values, or why none could be read (the claim's name and shape, never its content).</summary>
public sealed record RoleClaimReading(IReadOnlyList<string> Values, string? Problem);

/// <summary>
/// Reads the values of a role claim the way providers send them: a claim name or a dotted path
/// into a JSON claim (<c>realm_access.roles</c>, <c>resource_access.secretadmin.roles</c>), whose
/// value is an array of strings, one space-separated string, or an object whose keys are the
/// values (ZITADEL's <c>urn:zitadel:iam:org:project:roles</c>).
/// </summary>
public static class RoleClaims
{
    public static RoleClaimReading Read(ClaimsPrincipal principal, string path)
    {
        // The longest leading part of the path that is a claim's name; the rest goes into its JSON.
        var segments = path.Split('.');
        for (var take = segments.Length; take > 0; take--)
        {
            var claims = principal.FindAll(string.Join('.', segments[..take])).ToArray();
            if (claims.Length == 0)
            {
                continue;
            }

            var values = new List<string>();
            foreach (var claim in claims)
            {
                if (Values(claim, segments[take..], values) is { } problem)
                {
                    return new RoleClaimReading([], $"{path}: {problem}");
                }
            }

            return new RoleClaimReading(values.Distinct(StringComparer.Ordinal).ToArray(), values.Count == 0 ? $"{path}: empty" : null);
        }

        return new RoleClaimReading([], $"{path}: absent");
    }

    private static string? Values(Claim claim, string[] rest, List<string> values)
    {
        if (rest.Length == 0 && !LooksLikeJson(claim.Value))
        {
            values.AddRange(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            return null;
        }

        JsonElement element;
        try
        {
            using var document = JsonDocument.Parse(claim.Value);
            element = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return rest.Length == 0 ? null : "a string where an object was expected";
        }

        foreach (var name in rest)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return $"{Shape(element)} where an object was expected";
            }

            if (!element.TryGetProperty(name, out element))
            {
                return "absent";
            }
        }

        return Collect(element, values);
    }

    private static string? Collect(JsonElement element, List<string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                values.AddRange(element.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        return $"an array holding {Shape(item)}";
                    }

                    values.Add(item.GetString()!);
                }

                return null;
            case JsonValueKind.Object:
                values.AddRange(element.EnumerateObject().Select(p => p.Name));
                return null;
            default:
                return Shape(element);
        }
    }

    private static bool LooksLikeJson(string value) => value.Length > 1 && value[0] is '{' or '[';

    private static string Shape(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
