using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace SecretAdmin.Features.Sso;

/// <summary>How SecretAdmin proves its client id and secret to the provider's token and pushed-authorization endpoints.</summary>
public enum ClientAuthenticationMethod
{
    /// <summary><c>client_secret_basic</c>: an HTTP Basic header (RFC 6749 §2.3.1), the default when a provider lists both or neither.</summary>
    Basic,

    /// <summary><c>client_secret_post</c>: <c>client_id</c> and <c>client_secret</c> in the form body.</summary>
    Post,
}

/// <summary>
/// Picks the client authentication method from the provider's discovery document and sends a
/// back-channel form request with the client's credentials that way; the secret goes nowhere else.
/// </summary>
public static class ClientAuthentication
{
    public const string BasicName = "client_secret_basic";
    public const string PostName = "client_secret_post";

    /// <summary>Post only when the provider lists post and not basic; basic otherwise (OpenID Connect Discovery's default).</summary>
    public static ClientAuthenticationMethod Choose(IEnumerable<string>? supported)
    {
        var methods = supported?.ToHashSet(StringComparer.Ordinal) ?? [];
        return methods.Contains(PostName) && !methods.Contains(BasicName) ? ClientAuthenticationMethod.Post : ClientAuthenticationMethod.Basic;
    }

    public static string NameOf(ClientAuthenticationMethod method) => method == ClientAuthenticationMethod.Post ? PostName : BasicName;

    /// <summary><c>client_secret_basic</c>'s header: each part form-urlencoded before joining, as RFC 6749 §2.3.1 says.</summary>
    public static AuthenticationHeaderValue BasicHeader(string clientId, string clientSecret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{WebUtility.UrlEncode(clientId)}:{WebUtility.UrlEncode(clientSecret)}")));

    /// <summary>
    /// Posts <paramref name="parameters"/> to <paramref name="endpoint"/> with the client's
    /// credentials, and gives the provider's JSON answer. A refusal is thrown as an
    /// <see cref="OpenIdConnectProtocolException"/> carrying the provider's error code (never the secret).
    /// </summary>
    public static async Task<OpenIdConnectMessage> PostAsync(
        HttpClient backchannel,
        string endpoint,
        IEnumerable<KeyValuePair<string, string>> parameters,
        string clientId,
        string clientSecret,
        ClientAuthenticationMethod method,
        CancellationToken cancellationToken)
    {
        // client_id stays in the body either way: a pushed authorization request needs it, and a
        // token endpoint accepts it beside Basic credentials (RFC 6749 §3.2.1).
        var form = parameters.Where(p => p.Key != OpenIdConnectParameterNames.ClientSecret).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        form[OpenIdConnectParameterNames.ClientId] = clientId;
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (method == ClientAuthenticationMethod.Basic)
        {
            request.Headers.Authorization = BasicHeader(clientId, clientSecret);
        }
        else
        {
            form[OpenIdConnectParameterNames.ClientSecret] = clientSecret;
        }

        request.Content = new FormUrlEncodedContent(form);
        using var response = await backchannel.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        OpenIdConnectMessage? message = null;
        try
        {
            message = new OpenIdConnectMessage(body);
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException)
        {
            // Not JSON: the status code says enough.
        }

        if (!response.IsSuccessStatusCode || message is null || !string.IsNullOrEmpty(message.Error))
        {
            var failure = new OpenIdConnectProtocolException($"The provider refused the back-channel request with {(int)response.StatusCode} {message?.Error}.");
            failure.Data["error"] = message?.Error ?? string.Empty;
            throw failure;
        }

        return message;
    }
}
