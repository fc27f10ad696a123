using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;

namespace SecretAdmin.Features.Oidc;

/// <summary>
/// Fetches <c>&lt;authority&gt;/.well-known/openid-configuration</c> and checks what sign-in needs:
/// the issuer equals the authority and the endpoints exist.
/// </summary>
public sealed class OidcDiscoveryChecker(IHttpClientFactory httpClientFactory)
{
    public const string HttpClientName = "oidc-discovery";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task<DiscoveryCheckResult> CheckAsync(string? authority, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(authority))
        {
            return DiscoveryCheckResult.Failed("Enter the authority URL first.");
        }

        if (OidcSettingsValidator.AuthorityProblem(authority.Trim()) is { } problem)
        {
            return DiscoveryCheckResult.Failed(problem);
        }

        var issuer = authority.Trim().TrimEnd('/');
        var url = $"{issuer}/.well-known/openid-configuration";
        var host = new Uri(issuer).Host;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        string body;
        try
        {
            using var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return DiscoveryCheckResult.Failed($"{url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}. Check the authority URL: it is the issuer, without /.well-known/openid-configuration.");
            }

            body = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain })
        {
            return DiscoveryCheckResult.Failed($"The host {host} could not be found (DNS). Check the authority URL.");
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException || e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            return DiscoveryCheckResult.Failed($"A TLS connection to {host} could not be made: its certificate is not trusted by this server, or it does not speak https. ({e.InnerException?.Message ?? e.Message})");
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException socket)
        {
            return DiscoveryCheckResult.Failed($"Could not connect to {host}: {socket.Message}.");
        }
        catch (HttpRequestException e)
        {
            return DiscoveryCheckResult.Failed($"The request to {url} failed: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DiscoveryCheckResult.Failed($"{host} did not answer within {Timeout.TotalSeconds:0} seconds.");
        }

        return Check(issuer, url, body);
    }

    private static DiscoveryCheckResult Check(string issuer, string url, string body)
    {
        JsonElement document;
        try
        {
            document = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return DiscoveryCheckResult.Failed($"{url} did not return JSON. Is the authority the provider's issuer URL?");
        }

        if (document.ValueKind != JsonValueKind.Object)
        {
            return DiscoveryCheckResult.Failed($"{url} did not return a discovery document (a JSON object).");
        }

        var published = Text(document, "issuer");
        if (published is null)
        {
            return DiscoveryCheckResult.Failed($"The discovery document at {url} has no issuer.");
        }

        if (!string.Equals(published.TrimEnd('/'), issuer, StringComparison.Ordinal))
        {
            return DiscoveryCheckResult.Failed($"The provider's issuer is {published}, but the authority is {issuer}. Set the authority to exactly {published}.");
        }

        var missing = new[] { "authorization_endpoint", "token_endpoint", "jwks_uri" }.Where(name => Text(document, name) is null).ToArray();
        if (missing.Length > 0)
        {
            return DiscoveryCheckResult.Failed($"The discovery document lacks {string.Join(", ", missing)}; sign-in with the authorization code flow needs them.");
        }

        var details = new List<string>
        {
            $"Issuer: {published}",
            $"Authorization endpoint: {Text(document, "authorization_endpoint")}",
            $"Token endpoint: {Text(document, "token_endpoint")}",
        };
        if (Text(document, "end_session_endpoint") is { } endSession)
        {
            details.Add($"Sign-out endpoint: {endSession}");
        }

        var authMethods = document.TryGetProperty("token_endpoint_auth_methods_supported", out var listed) && listed.ValueKind == JsonValueKind.Array
            ? listed.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!).ToArray()
            : [];
        details.Add($"Client authentication (automatic): {Sso.ClientAuthentication.NameOf(Sso.ClientAuthentication.Choose(authMethods))}"
            + (authMethods.Length == 0 ? " (the provider lists none; basic is the default)" : $" (the provider lists {string.Join(", ", authMethods)})"));

        if (document.TryGetProperty("code_challenge_methods_supported", out var methods) && methods.ValueKind == JsonValueKind.Array
            && !methods.EnumerateArray().Any(m => m.GetString() == "S256"))
        {
            details.Add("Warning: the provider does not list PKCE (S256) support.");
        }

        return DiscoveryCheckResult.Ok("The provider's discovery document is valid.", details);
    }

    private static string? Text(JsonElement document, string name) =>
        document.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
