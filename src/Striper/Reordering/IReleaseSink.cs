namespace Fleet.Striper.Reordering;

/// <summary>Receives packets the resequencer releases, in order per flow class.</summary>
internal interface IReleaseSink
{
    /// <summary>Takes ownership of the packet in <paramref name="slot"/>.</summary>
    void Release(int slot);
}
