using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Fleet.Testing;

/// <summary>
/// An OTLP/HTTP receiver for tests (no collector is packaged here): accepts protobuf exports on <c>/v1/traces</c>,
/// <c>/v1/metrics</c> and <c>/v1/logs</c>, answers 200 with an empty export response, and decodes each request's
/// protobuf far enough to list the strings in it (service names, span names, metric names, attribute keys and values,
/// log bodies). A request that is not well-formed protobuf is answered 400 and counted, so a test can require none.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _strings = new();
    private readonly Task _receiving;
    private int _malformed;

    public OtlpReceiver()
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _receiving = Task.Run(ReceiveAsync);
    }

    public int Port { get; }

    /// <summary>The value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Requests that were not valid protobuf.</summary>
    public int Malformed => Volatile.Read(ref _malformed);

    /// <summary>The strings received on <paramref name="path"/> (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>).</summary>
    public IReadOnlyCollection<string> Strings(string path) => _strings.TryGetValue(path, out var bag) ? [.. bag] : [];

    /// <summary>Whether a request on <paramref name="path"/> carried exactly the string <paramref name="value"/>.</summary>
    public bool Has(string path, string value) => _strings.TryGetValue(path, out var bag) && bag.Contains(value);

    /// <summary>The paths seen and how many strings each carried, for failure messages.</summary>
    public string Describe() => string.Join(", ", _strings.Select(p => $"{p.Key}: {p.Value.Count} strings"));

    public void Dispose()
    {
        _listener.Stop();
        _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        _listener.Close();
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var found = new List<string>();
            var wellFormed = context.Request.ContentType == "application/x-protobuf" && TryCollectStrings(body.ToArray(), found, depth: 0);
            if (wellFormed)
            {
                var bag = _strings.GetOrAdd(context.Request.Url!.AbsolutePath, _ => []);
                foreach (var value in found)
                {
                    bag.Add(value);
                }
            }
            else
            {
                Interlocked.Increment(ref _malformed);
            }

            // An empty Export*ServiceResponse is a valid protobuf message of zero bytes.
            context.Response.StatusCode = wellFormed ? 200 : 400;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    /// <summary>
    /// Walks protobuf wire format (varint, 64-bit, length-delimited, 32-bit fields). A length-delimited field is tried as a
    /// nested message first; where that fails it is a string (or bytes). False when <paramref name="data"/> is not a
    /// well-formed message.
    /// </summary>
    private static bool TryCollectStrings(ReadOnlySpan<byte> data, List<string> found, int depth)
    {
        if (depth > 32)
        {
            return false;
        }

        var added = found.Count;
        while (!data.IsEmpty)
        {
            if (!TryReadVarint(ref data, out var key) || key >> 3 == 0)
            {
                found.RemoveRange(added, found.Count - added);
                return false;
            }

            var ok = (key & 7) switch
            {
                0 => TryReadVarint(ref data, out _),
                1 => Skip(ref data, 8),
                5 => Skip(ref data, 4),
                2 => TryReadLengthDelimited(ref data, found, depth),
                _ => false,
            };
            if (!ok)
            {
                found.RemoveRange(added, found.Count - added);
                return false;
            }
        }

        return true;
    }

    private static bool TryReadLengthDelimited(ref ReadOnlySpan<byte> data, List<string> found, int depth)
    {
        if (!TryReadVarint(ref data, out var length) || length > (ulong)data.Length)
        {
            return false;
        }

        var field = data[..(int)length];
        data = data[(int)length..];

        // Text can happen to be well-formed protobuf too ("h" is field 13, a varint): printable text counts as a string
        // either way; nested messages start with a control byte (a key such as 0x0a) and do not.
        if (IsPrintable(field) || !TryCollectStrings(field, found, depth + 1))
        {
            found.Add(Encoding.UTF8.GetString(field));
        }

        return true;
    }

    private static bool IsPrintable(ReadOnlySpan<byte> field)
    {
        foreach (var b in field)
        {
            if (b < 0x20 || b == 0x7f)
            {
                return false;
            }
        }

        return !field.IsEmpty;
    }

    private static bool Skip(ref ReadOnlySpan<byte> data, int count)
    {
        if (data.Length < count)
        {
            return false;
        }

        data = data[count..];
        return true;
    }

    private static bool TryReadVarint(ref ReadOnlySpan<byte> data, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && !data.IsEmpty; shift += 7)
        {
            var b = data[0];
            data = data[1..];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
