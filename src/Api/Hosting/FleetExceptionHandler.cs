using System.Text.Json;
using System.Text.RegularExpressions;
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

        if (status == StatusCodes.Status400BadRequest && BindFailure().Match(exception.Message) is { Success: true } bind)
        {
            // A query, route or header value that does not parse ("limit=abc", "from=yesterday"): name the field, in the
            // wire's camelCase (a property of an [AsParameters] query object is reported by its C# name, "Limit").
            var field = JsonNamingPolicy.CamelCase.ConvertName(bind.Groups["name"].Value);
            var message = $"invalid value: expected {ExpectedParameter(bind.Groups["type"].Value)}";
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "A request parameter is not valid",
                Detail = $"{field}: {message}",
            };
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

    /// <summary>
    /// The reader's message without its "Path: … | LineNumber: …" tail (the path is the error's key), and with .NET
    /// type names ("could not be converted to System.Nullable`1[[System.Int32 …]]") replaced by what the field takes.
    /// </summary>
    private static string JsonMessage(JsonException exception)
    {
        var message = exception.Message;
        var tail = message.IndexOf(" Path: ", StringComparison.Ordinal);
        message = tail > 0 ? message[..tail] : message;
        var conversion = ConversionMessage().Match(message);
        return conversion.Success ? $"invalid value: expected {Expected(conversion.Groups[1].Value)}" : message;
    }

    private static string Expected(string typeName)
    {
        var nullable = NullableType().Match(typeName);
        if (nullable.Success)
        {
            typeName = nullable.Groups[1].Value;
        }

        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null);
        if (type is { IsEnum: true })
        {
            var names = Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.Serialize(v, type, Fleet.Contracts.Json.FleetJson.Options).Trim('"'));
            return $"one of: {string.Join(", ", names)}";
        }

        return typeName switch
        {
            "System.Guid" => "a UUID",
            "System.Int16" or "System.Int32" or "System.Int64" or "System.UInt16" or "System.UInt32" or "System.UInt64" or "System.Byte" => "an integer in range",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            "System.DateTimeOffset" or "System.DateTime" => "an ISO 8601 date and time",
            _ when typeName.Contains("List", StringComparison.Ordinal) || typeName.EndsWith("[]", StringComparison.Ordinal) => "an array",
            _ when typeName.Contains("Dictionary", StringComparison.Ordinal) => "an object of name/value pairs",
            _ => "an object",
        };
    }

    /// <summary>What a parameter of the binder's friendly type name (<c>int?</c>, <c>Nullable&lt;Guid&gt;</c>) takes.</summary>
    private static string ExpectedParameter(string typeName)
    {
        var bare = typeName.TrimEnd('?');
        if (bare.StartsWith("Nullable<", StringComparison.Ordinal) && bare.EndsWith('>'))
        {
            bare = bare["Nullable<".Length..^1];
        }

        return bare switch
        {
            "Guid" => "a UUID",
            "int" or "long" or "short" or "uint" or "ulong" or "ushort" or "byte" => "an integer in range",
            "double" or "float" or "decimal" => "a number",
            "bool" => "true or false",
            "DateTimeOffset" or "DateTime" => "an ISO 8601 date and time",
            _ => "a value of type " + bare,
        };
    }

    [GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"]+) (?<name>[^\" ]+)\" from \"")]
    private static partial Regex BindFailure();

    [GeneratedRegex(@"could not be converted to (.+)\.$")]
    private static partial Regex ConversionMessage();

    [GeneratedRegex(@"^System\.Nullable`1\[\[?([^,\]]+)")]
    private static partial Regex NullableType();

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Refused {Method} {Path} with {Status}: {Detail}")]
    private static partial void LogBadRequest(ILogger logger, int status, string method, string path, string? detail);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
