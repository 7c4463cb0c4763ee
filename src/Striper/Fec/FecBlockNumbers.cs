namespace Fleet.Striper.Fec;

/// <summary>
/// Numbers FEC blocks for every class of a link, and outlives policy changes: the receiver keeps a block, keyed by its
/// class id and number, for up to <see cref="FecDecoder.MaxAgeSeconds"/>, so a rebuilt class that numbered its blocks
/// from 1 again would add its packets to the old class's blocks of the same number. Sending thread only.
/// </summary>
internal sealed class FecBlockNumbers
{
    private uint _last;

    public uint Next() => ++_last;
}
