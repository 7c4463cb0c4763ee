using Microsoft.Win32.SafeHandles;

namespace Fleet.Agent.Queue;

/// <summary>Where one record lies in its segment file.</summary>
internal readonly record struct RecordPosition(long Sequence, long Offset, int PayloadLength);

/// <summary>One segment file of the disk queue (<c>&lt;first sequence&gt;.seg</c>) and the records it holds, in increasing order.</summary>
internal sealed class QueueSegment(string path, long first)
{
    public string Path { get; } = path;

    public long First { get; } = first;

    public long Length { get; set; }

    public List<RecordPosition> Records { get; } = [];

    public SafeFileHandle? ReadHandle { get; set; }

    /// <summary>
    /// Reads the records of the file at <paramref name="path"/> up to the first that is torn or corrupt, and cuts the
    /// file there (everything after the last whole record is unusable); <paramref name="truncatedBytes"/> says how much
    /// was cut.
    /// </summary>
    public static QueueSegment Scan(string path, long first, out long truncatedBytes)
    {
        var segment = new QueueSegment(path, first);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var length = RandomAccess.GetLength(handle);
        var header = new byte[QueueRecord.HeaderBytes];
        long offset = 0;
        var previous = first - 1;
        while (offset < length)
        {
            if (length - offset < QueueRecord.HeaderBytes
                || RandomAccess.Read(handle, header, offset) != QueueRecord.HeaderBytes
                || !QueueRecord.TryParseHeader(header, out var payloadLength, out var sequence)
                || payloadLength > length - offset - QueueRecord.HeaderBytes
                || sequence <= previous)
            {
                break;
            }

            var record = new byte[QueueRecord.HeaderBytes + payloadLength];
            if (RandomAccess.Read(handle, record, offset) != record.Length || !QueueRecord.CrcMatches(record, payloadLength))
            {
                break;
            }

            segment.Records.Add(new RecordPosition(sequence, offset, payloadLength));
            previous = sequence;
            offset += record.Length;
        }

        truncatedBytes = length - offset;
        if (truncatedBytes > 0)
        {
            RandomAccess.SetLength(handle, offset);
            RandomAccess.FlushToDisk(handle);
        }

        segment.Length = offset;
        return segment;
    }

    /// <summary>The segment of <paramref name="segments"/> (oldest first) whose range holds <paramref name="sequence"/>, if any.</summary>
    public static QueueSegment? Find(IReadOnlyList<QueueSegment> segments, long sequence)
    {
        QueueSegment? found = null;
        foreach (var segment in segments)
        {
            if (segment.First > sequence)
            {
                break;
            }

            found = segment;
        }

        return found;
    }

    /// <summary>How many records have a sequence ≤ <paramref name="sequence"/>.</summary>
    public int CountAtOrBelow(long sequence)
    {
        int low = 0, high = Records.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (Records[mid].Sequence <= sequence)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    public int IndexOf(long sequence)
    {
        var index = CountAtOrBelow(sequence) - 1;
        return index >= 0 && Records[index].Sequence == sequence ? index : -1;
    }
}
