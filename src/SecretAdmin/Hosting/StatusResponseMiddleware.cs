using Microsoft.AspNetCore.Diagnostics;

namespace SecretAdmin.Hosting;

/// <summary>
/// Sits just inside the status-code pages. A browser (Accept: text/html) gets the app's status
/// page, re-executed as a GET: a POST re-executed as a POST would have its form and antiforgery
/// token checked again and fail a second time. Other clients get a short text instead. A request
/// the server finds malformed (<see cref="BadHttpRequestException"/>, such as a body over the
/// size limit) gets its own status code rather than the error page's 500.
/// </summary>
internal sealed class StatusResponseMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IStatusCodeReExecuteFeature>() is not null || context.Features.Get<IExceptionHandlerFeature>() is not null)
        {
            await ReExecuteAsGetAsync(context);
            return;
        }

        var browser = AcceptsHtml(context.Request);
        if (!browser && context.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
        {
            statusPages.Enabled = false;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = e.StatusCode;
        }

        if (!browser && IsBareError(context.Response))
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(Text(context.Response.StatusCode) + "\n");
        }
    }

    /// <summary>The one-line answer a client that is not a browser gets for <paramref name="status"/>.</summary>
    public static string Text(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad request: it could not be accepted. A form must carry the antiforgery token of the page it came from; reload the page and send it again.",
        StatusCodes.Status401Unauthorized => "Unauthorized: sign in first.",
        StatusCodes.Status403Forbidden => "Forbidden: your account may not use this.",
        StatusCodes.Status404NotFound => "Not found: there is nothing at this address.",
        StatusCodes.Status405MethodNotAllowed => "Method not allowed at this address.",
        StatusCodes.Status413PayloadTooLarge => $"Request body too large: the limit is {WebSecurityHostingExtensions.MaxRequestBodyBytes / 1024} KiB.",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type: send a form (application/x-www-form-urlencoded or multipart/form-data).",
        _ => $"The request could not be completed (status {status}).",
    };

    private async Task ReExecuteAsGetAsync(HttpContext context)
    {
        var method = context.Request.Method;
        context.Request.Method = HttpMethods.Get;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Method = method;
        }
    }

    private static bool AcceptsHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static bool IsBareError(HttpResponse response) =>
        response.StatusCode is >= 400 and < 600
        && !response.HasStarted
        && response.ContentLength is null
        && string.IsNullOrEmpty(response.ContentType);
}
