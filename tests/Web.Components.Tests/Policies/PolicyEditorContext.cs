using System.Security.Claims;
using Bunit;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Web.Formatting;
using Fleet.Web.Doctor;
using Fleet.Web.Policies;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Policies;

/// <summary>The policy editor rendered by bunit around one link's stored policy, for the editor's tests.</summary>
public abstract class PolicyEditorContext : BunitContext
{
    private static readonly Guid s_linkId = Guid.Parse("6f1c1f55-9a8e-4a53-9d3e-3e1b8d1f0a01");
    protected static readonly DateTimeOffset s_now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    private readonly FakePolicyQuery _query = new();

    /// <summary>What the doctor answers when the editor is opened on a finding's change.</summary>
    protected FixedDiagnosisQuery Diagnoses { get; } = new();

    protected PolicyEditorContext()
    {
        Services.AddSingleton<IPolicyQuery>(_query);
        Services.AddSingleton<ILinkDiagnosisQuery>(Diagnoses);
        Services.AddSingleton<IPolicyCommands, RefusingPolicyCommands>();
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_now));
        Services.AddSingleton<AntiforgeryStateProvider, NoAntiforgery>();
    }

    protected IRenderedComponent<PolicyEditorPage> RenderEditor(
        LinkSpec spec, string role, IReadOnlyList<PolicyRevision>? revisions = null, IReadOnlyList<InterfaceInventory>? interfaces = null, string? query = null)
    {
        if (query is not null)
        {
            Services.GetRequiredService<NavigationManager>().NavigateTo($"links/{s_linkId}/policy?{query}");
        }

        _query.Document = new PolicyDocument(s_linkId, Guid.NewGuid(), "edge-1", spec, revisions?[0].Generation ?? 1, 1, LinkPhase.Applied, null,
            revisions ?? [new PolicyRevision(1, spec, s_now, "admin")])
        {
            HostInterfaces = interfaces,
        };
        return Render<PolicyEditorPage>(p => p.AddCascadingValue(Request(role)).Add(x => x.LinkId, s_linkId));
    }

    protected static DefaultHttpContext Request(string role)
    {
        var context = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test")) };
        context.Request.Method = HttpMethods.Get;
        return context;
    }

    /// <summary>The doctor's answer, set by a test.</summary>
    protected sealed class FixedDiagnosisQuery : ILinkDiagnosisQuery
    {
        public IReadOnlyList<Finding> Findings { get; set; } = [];

        public Task<Diagnosis?> DiagnoseAsync(Guid linkId, TimeSpan window, CancellationToken cancellationToken) => Task.FromResult<Diagnosis?>(new Diagnosis
        {
            LinkId = linkId,
            Verdict = Findings.Count == 0 ? DoctorVerdict.Healthy : DoctorVerdict.Limited,
            Summary = Findings.Count == 0 ? "Healthy" : Findings[0].Title,
            From = s_now - window,
            To = s_now,
            Findings = Findings,
            Members = [],
        });
    }

    private sealed class FakePolicyQuery : IPolicyQuery
    {
        public PolicyDocument? Document { get; set; }

        public Task<PolicyDocument?> GetPolicyAsync(Guid linkId, CancellationToken cancellationToken) =>
            Task.FromResult(Document?.LinkId == linkId ? Document : null);
    }

    /// <summary>Rendering never changes a policy; a call here is a bug in the test.</summary>
    private sealed class RefusingPolicyCommands : IPolicyCommands
    {
        public Task<PolicyChangeResult> ChangeAsync(Guid linkId, LinkSpec spec, long expectedGeneration, string? reason, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The sections tests only render the editor.");
    }

    private sealed class NoAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => null;
    }
}
