namespace SecretAdmin.Hosting;

/// <summary>
/// Reads a posted form before anything else does, so a body that is too large answers 413 and a
/// malformed one 400, rather than failing inside antiforgery validation or an endpoint. The form
/// is kept on the request, so later readers use it as read here.
/// </summary>
internal sealed class RequestBodyGuardMiddleware(RequestDelegate next, ILogger<RequestBodyGuardMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // A status page re-executed for a refused POST runs as a GET and is not checked again.
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            await next(context);
            return;
        }

        if (request.ContentLength > WebSecurityHostingExtensions.MaxRequestBodyBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        if (request.HasFormContentType)
        {
            try
            {
                await request.ReadFormAsync(context.RequestAborted);
            }
            catch (BadHttpRequestException e)
            {
                context.Response.StatusCode = e.StatusCode;
                return;
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException && !context.RequestAborted.IsCancellationRequested)
            {
                logger.LogInformation("A malformed form was refused ({Exception})", e.GetType().Name);
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
        }

        await next(context);
    }
}
