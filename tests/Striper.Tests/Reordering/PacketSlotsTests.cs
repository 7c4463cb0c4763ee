using Fleet.Striper.Reordering;

namespace Fleet.Striper.Tests.Reordering;

public sealed unsafe class PacketSlotsTests
{
    [Fact]
    public void Rent_PoolStartingEmpty_GrowsByDoublingUpToItsMost()
    {
        using var slots = new PacketSlots(200, 64, initialCount: 0);
        Assert.Equal(0, slots.Count);
        Assert.False(slots.Reserved);

        var counts = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(i, slots.Rent());
            counts.Add(slots.Count);
        }

        Assert.Equal([PacketSlots.MinGrowth, 2 * PacketSlots.MinGrowth, 200], counts.Distinct());
        Assert.Equal(-1, slots.Rent());
        Assert.Equal(0, slots.Available);
    }

    [Fact]
    public void Rent_FullSizePool_NeverGrows()
    {
        using var slots = new PacketSlots(100, 64);

        Assert.Equal(100, slots.Count);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(slots.Rent() >= 0);
        }

        Assert.Equal(-1, slots.Rent());
        Assert.Equal(100, slots.Count);
    }

    [Fact]
    public void Rent_PoolGrowsWhileSlotsAreHeld_TheirMemoryAndBookkeepingStay()
    {
        using var slots = new PacketSlots(1000, 128, headroom: 16, initialCount: 0);
        var held = slots.Rent();
        var pointer = slots.Pointer(held);
        new Span<byte>(pointer, 5).Fill(0xAB);
        slots.Length[held] = 5;
        slots.ChecksumPartial[held] = true;
        slots.Arrival[held] = 42;
        slots.Global[held] = 7;

        for (var i = 0; i < 300; i++)
        {
            slots.Rent();
        }

        Assert.True(slots.Count > PacketSlots.MinGrowth);
        Assert.True(pointer == slots.Pointer(held));
        Assert.Equal(new byte[] { 0xAB, 0xAB, 0xAB, 0xAB, 0xAB }, slots.Packet(held).ToArray());
        Assert.True(slots.ChecksumPartial[held]);
        Assert.Equal(42, slots.Arrival[held]);
        Assert.Equal(7ul, slots.Global[held]);
    }

    [Fact]
    public void Return_AfterGrowth_SlotRentedAgainFirst()
    {
        using var slots = new PacketSlots(1000, 64, initialCount: 0);
        for (var i = 0; i < 100; i++)
        {
            slots.Rent();
        }

        slots.Return(17);

        Assert.Equal(17, slots.Rent());
    }
}
