using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecretAdmin.Features.Sso;

namespace SecretAdmin.Features.Smtp.OAuth;

/// <summary>
/// Asks a token endpoint for SMTP access tokens and keeps each until shortly before it expires, in
/// this process's memory only. Tokens are told apart by client and by a keyed hash of the credential,
/// so a changed secret or key never gets the old one's token.
/// </summary>
public sealed class OAuthTokenClient(IHttpClientFactory httpClientFactory, TimeProvider timeProvider)
{
    public const string HttpClientName = "smtp-oauth";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>A token is fetched again this long before the provider says it expires.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(60);

    private const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _tokens = new(StringComparer.Ordinal);
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);

    /// <param name="mailbox">The mailbox the token acts for: the subject of a JWT bearer assertion.</param>
    /// <param name="fresh">True to ask again even when a cached token has not expired (the server refused it).</param>
    /// <exception cref="OAuthTokenException">The endpoint could not be reached, or refused.</exception>
    public async Task<string> GetAsync(OAuthClient client, OAuthClientCredential credential, string mailbox, bool fresh, CancellationToken cancellationToken)
    {
        var key = CacheKey(client, credential, mailbox);
        var now = timeProvider.GetUtcNow();
        if (!fresh && _tokens.TryGetValue(key, out var cached) && cached.RenewAt > now)
        {
            return cached.Token;
        }

        var (token, lifetime) = await RequestAsync(client, credential, mailbox, now, cancellationToken);
        var renewAt = now + (lifetime > Margin * 2 ? lifetime - Margin : lifetime / 2);
        _tokens[key] = (token, renewAt);
        return token;
    }

    private async Task<(string Token, TimeSpan Lifetime)> RequestAsync(OAuthClient client, OAuthClientCredential credential, string mailbox, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal) { ["scope"] = client.Scope };
        using var request = new HttpRequestMessage(HttpMethod.Post, client.TokenEndpoint);
        if (client.Grant == OAuthGrant.JwtBearer)
        {
            form["grant_type"] = JwtBearerGrant;
            form["assertion"] = OAuthSigningKey.CreateAssertion(credential.PrivateKeyPem!, credential.CertificatePem!, client.ClientId, client.TokenEndpoint, now, subject: mailbox, scope: client.Scope);
        }
        else
        {
            form["grant_type"] = "client_credentials";
            form["client_id"] = client.ClientId;
            switch (client.Authentication)
            {
                case OAuthClientAuthentication.ClientSecretBasic:
                    request.Headers.Authorization = ClientAuthentication.BasicHeader(client.ClientId, credential.Secret!);
                    break;
                case OAuthClientAuthentication.ClientSecretPost:
                    form["client_secret"] = credential.Secret!;
                    break;
                default:
                    form["client_assertion_type"] = JwtBearerAssertionType;
                    form["client_assertion"] = OAuthSigningKey.CreateAssertion(credential.PrivateKeyPem!, credential.CertificatePem!, client.ClientId, client.TokenEndpoint, now);
                    break;
            }
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new OAuthTokenException($"The token endpoint {client.TokenEndpoint} could not be reached: {e.Message}", "Check the token endpoint's address, and that this machine can reach it.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OAuthTokenException($"The token endpoint {client.TokenEndpoint} did not answer within {Timeout.TotalSeconds:0} seconds.", "Check the token endpoint's address, and that this machine can reach it.");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var answer = Parse(body);
            if (!response.IsSuccessStatusCode || answer is null || Text(answer.Value, "error") is not null)
            {
                var error = answer is { } a ? Text(a, "error") : null;
                var description = answer is { } d ? Text(d, "error_description") : null;
                throw new OAuthTokenException(
                    $"The token endpoint refused the request: {(int)response.StatusCode} {error ?? response.ReasonPhrase}{(description is null ? "" : $" ({Shorten(description)})")}",
                    TokenHint(client, error, description));
            }

            if (Text(answer.Value, "access_token") is not { Length: > 0 } token
                || !string.Equals(Text(answer.Value, "token_type"), "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                throw new OAuthTokenException("The token endpoint answered without a bearer access token.", "Check that the address is the provider's token endpoint.");
            }

            var seconds = answer.Value.TryGetProperty("expires_in", out var expiresIn) && expiresIn.ValueKind == JsonValueKind.Number && expiresIn.TryGetInt32(out var s) && s > 0 ? s : 300;
            return (token, TimeSpan.FromSeconds(seconds));
        }
    }

    private static string? TokenHint(OAuthClient client, string? error, string? description) => error switch
    {
        // Google answers a service account without domain-wide delegation for the scope with unauthorized_client.
        "unauthorized_client" when client.Grant == OAuthGrant.JwtBearer =>
            "The provider refused the service account: check that the Workspace administrator allowed its client id the scope (domain-wide delegation).",
        "invalid_client" or "unauthorized_client" when client.UsesPrivateKey => "Check the client id, and that the certificate or public key shown below is registered with the provider for this client.",
        "invalid_client" or "unauthorized_client" => "Check the client id and the client secret, and the way the secret is sent.",
        "invalid_scope" => "Check the scope: Microsoft 365 wants https://outlook.office365.com/.default, Google https://mail.google.com/.",
        // Google answers a key it does not know for the service account with invalid_grant "Invalid JWT Signature.".
        "invalid_grant" when client.Grant == OAuthGrant.JwtBearer && description?.Contains("signature", StringComparison.OrdinalIgnoreCase) == true =>
            "The provider did not accept the assertion's signature: check that the private key pasted here is a key of the service account, and the client id is its email.",
        "invalid_grant" => "The provider refused the grant: check that the service account may act for the mailbox (domain-wide delegation).",
        "unsupported_grant_type" => "The provider does not offer this grant for this client.",
        _ => null,
    };

    private static JsonElement? Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A provider's description, kept to a line: no control characters, at most 300 characters.</summary>
    private static string Shorten(string text)
    {
        var clean = new string([.. text.Where(c => !char.IsControl(c))]);
        return clean.Length <= 300 ? clean : string.Concat(clean.AsSpan(0, 300), "…");
    }

    private string CacheKey(OAuthClient client, OAuthClientCredential credential, string mailbox) =>
        Convert.ToHexString(HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(string.Join('\n', client.Grant, client.TokenEndpoint, client.ClientId, client.Scope, client.Authentication, mailbox, credential.Material))));
}
