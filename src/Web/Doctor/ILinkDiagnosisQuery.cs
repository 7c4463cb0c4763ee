using Fleet.Contracts.Doctor;

namespace Fleet.Web.Doctor;

/// <summary>A link's diagnosis for the link page's Doctor panel: the same query REST answers with (docs/doctor.md).</summary>
public interface ILinkDiagnosisQuery
{
    /// <summary>The diagnosis of <paramref name="linkId"/> over the last <paramref name="window"/>; null when there is no such link.</summary>
    Task<Diagnosis?> DiagnoseAsync(Guid linkId, TimeSpan window, CancellationToken cancellationToken);
}
