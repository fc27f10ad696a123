using Microsoft.AspNetCore.Antiforgery;

namespace SecretAdmin.Hosting;

/// <summary>
/// Right after antiforgery validation: a request whose token is missing or wrong is answered 400
/// here, before any endpoint runs, so it changes nothing (a sign-out without a token leaves the
/// session signed in) and every endpoint refuses it the same way.
/// </summary>
internal sealed class AntiforgeryRejectionMiddleware(RequestDelegate next, ILogger<AntiforgeryRejectionMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false }
            && !HttpMethods.IsGet(context.Request.Method)
            && !HttpMethods.IsHead(context.Request.Method))
        {
            logger.LogInformation("A {Method} to {Path} without a valid antiforgery token was refused", context.Request.Method, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Task.CompletedTask;
        }

        return next(context);
    }
}
