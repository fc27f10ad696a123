namespace SecretAdmin.Benchmarks.OpenLoop;

/// <summary>The requests a load run sends and how it judges their answers.</summary>
internal interface ILoadTarget
{
    /// <summary>The next request, built when it is sent; null when the target has none left (for a sign-in: no code unsent).</summary>
    HttpRequestMessage? NextRequest();

    /// <summary>Success, refusal or failure; may read the body.</summary>
    Task<Outcome> ClassifyAsync(HttpResponseMessage response);
}
