using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Fleet.Api.Hosting;

/// <summary>
/// Turns exceptions into RFC 7807 ProblemDetails. Client mistakes the framework detects while binding a request
/// (malformed JSON, wrong types, unknown fields, missing body, oversize body, wrong content type, bad antiforgery
/// token) arrive as <see cref="BadHttpRequestException"/> (RouteHandlerOptions.ThrowOnBadRequest) and keep their 4xx
/// status, with the JSON path of the offending field; anything else is a bug: 500 without details, logged.
/// </summary>
internal sealed partial class FleetExceptionHandler(IProblemDetailsService problemDetails, ILogger<FleetExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        if (exception is BadHttpRequestException badRequest)
        {
            problem = FromBadRequest(badRequest);
            LogBadRequest(logger, problem.Status ?? 400, httpContext.Request.Method, httpContext.Request.Path, problem.Detail);
        }
        else if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody reads an answer.
            return true;
        }
        else
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "An unexpected error occurred",
                Detail = "The error has been logged.",
            };
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem });
    }

    internal static ProblemDetails FromBadRequest(BadHttpRequestException exception)
    {
        var status = exception.StatusCode is >= 400 and < 500 ? exception.StatusCode : StatusCodes.Status400BadRequest;
        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                var path = JsonPath(json.Path);
                return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [path] = [JsonMessage(json)] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request body is not valid JSON for this operation",
                    Detail = path.Length == 0 ? JsonMessage(json) : $"{path}: {JsonMessage(json)}",
                };
            }
        }

        return new ProblemDetails
        {
            Status = status,
            Title = status switch
            {
                StatusCodes.Status413PayloadTooLarge => "Request body too large",
                StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                _ => "Bad request",
            },
            Detail = exception.Message,
        };
    }

    /// <summary><c>$.members[0].weight</c> → <c>members[0].weight</c>, the path style of the spec validator.</summary>
    private static string JsonPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    /// <summary>The reader's message without its "Path: … | LineNumber: …" tail (the path is the error's key).</summary>
    private static string JsonMessage(JsonException exception)
    {
        var message = exception.Message;
        var tail = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return tail > 0 ? message[..tail] : message;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Refused {Method} {Path} with {Status}: {Detail}")]
    private static partial void LogBadRequest(ILogger logger, int status, string method, string path, string? detail);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
