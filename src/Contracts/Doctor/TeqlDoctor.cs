namespace Fleet.Contracts.Doctor;

/// <summary>teql's own finding: delay spread without resequencing (docs/doctor.md).</summary>
public sealed class TeqlDoctor : KindDoctor
{
    /// <inheritdoc />
    public override IEnumerable<Finding> Diagnose(LinkEvidence evidence, DoctorThresholds thresholds) =>
        PerPacketDoctor.DelaySpread(evidence, thresholds, "teql");

    /// <inheritdoc />
    public override string LossySuggestion(string member) => $"Remove {member} from the teql link until its loss is fixed.";
}
