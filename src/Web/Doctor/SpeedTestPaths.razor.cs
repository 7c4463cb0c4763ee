using Fleet.Contracts.Doctor;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Doctor;

/// <summary>
/// One direction of a path speed test, per member: its capacity alone, all together, the round trip idle and loaded,
/// and the loss; a member the test did not measure says why.
/// </summary>
public partial class SpeedTestPaths
{
    /// <summary>What the end that ran the test measured.</summary>
    [Parameter, EditorRequired]
    public SpeedTestResult Result { get; set; } = default!;

    /// <summary>The table's <c>data-testid</c> (this direction, or the other end's).</summary>
    [Parameter]
    public string TestId { get; set; } = "speed-test-paths";

    /// <summary>A capacity the test did not fill is a lower bound (the rate limit, or what the host could send).</summary>
    private static string CapacityText(PathSpeedResult path) =>
        (path.Saturated ? "" : "≥ ") + Units.BitsPerSecond(path.CapacityBitsPerSecond);
}
