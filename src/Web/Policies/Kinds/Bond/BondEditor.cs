using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies.Kinds.Bond;

/// <summary>The policy editor's bonding section and the bond facts of the summary.</summary>
public sealed class BondEditor : LinkKindEditor
{
    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Bond;

    /// <inheritdoc />
    public override Type Section => typeof(BondSection);

    /// <inheritdoc />
    public override IReadOnlyList<string> EditedFields { get; } =
    [
        BondFields.Mode, BondFields.MiimonMs, BondFields.ArpIntervalMs, BondFields.ArpIpTargets, BondFields.UpdelayMs,
        BondFields.DowndelayMs, BondFields.Primary, BondFields.XmitHashPolicy, BondFields.LacpRate, BondFields.MacAddress,
    ];

    /// <inheritdoc />
    public override void Fill(LinkSpec spec, PolicyForm form)
    {
        if (spec.Bond is not { } bond)
        {
            return;
        }

        form.SetOption(BondFields.Mode, WireNames.Of(bond.Mode));
        form.SetOption(BondFields.MiimonMs, PolicyForm.Text(bond.MiimonMs));
        form.SetOption(BondFields.ArpIntervalMs, PolicyForm.Text(bond.ArpIntervalMs));
        form.SetOption(BondFields.ArpIpTargets, string.Join(", ", bond.ArpIpTargets));
        form.SetOption(BondFields.UpdelayMs, PolicyForm.Text(bond.UpdelayMs));
        form.SetOption(BondFields.DowndelayMs, PolicyForm.Text(bond.DowndelayMs));
        form.SetOption(BondFields.Primary, bond.Primary);
        form.SetOption(BondFields.XmitHashPolicy, bond.XmitHashPolicy is { } hash ? WireNames.Of(hash) : null);
        form.SetOption(BondFields.LacpRate, bond.LacpRate is { } lacp ? WireNames.Of(lacp) : null);
        form.SetOption(BondFields.MacAddress, bond.MacAddress);
    }

    /// <inheritdoc />
    public override LinkSpec Apply(LinkSpec spec, LinkSpec current, PolicyForm form, FieldParser parser) => spec with
    {
        Bond = new BondOptions
        {
            Mode = parser.Enum<BondMode>(BondFields.Mode, form.Option(BondFields.Mode))
                ?? parser.Required(BondFields.Mode, form.Option(BondFields.Mode), BondMode.ActiveBackup),
            MiimonMs = parser.Int(BondFields.MiimonMs, form.Option(BondFields.MiimonMs)),
            ArpIntervalMs = parser.Int(BondFields.ArpIntervalMs, form.Option(BondFields.ArpIntervalMs)),
            ArpIpTargets = PolicyForm.SplitList(form.Option(BondFields.ArpIpTargets)),
            UpdelayMs = parser.Int(BondFields.UpdelayMs, form.Option(BondFields.UpdelayMs)),
            DowndelayMs = parser.Int(BondFields.DowndelayMs, form.Option(BondFields.DowndelayMs)),
            Primary = PolicyForm.Blank(form.Option(BondFields.Primary)),
            XmitHashPolicy = parser.Enum<BondXmitHashPolicy>(BondFields.XmitHashPolicy, form.Option(BondFields.XmitHashPolicy)),
            LacpRate = parser.Enum<BondLacpRate>(BondFields.LacpRate, form.Option(BondFields.LacpRate)),
            MacAddress = PolicyForm.Blank(form.Option(BondFields.MacAddress)),
        },
    };

    /// <inheritdoc />
    public override IEnumerable<(string Name, string Value)> Facts(LinkSpec spec)
    {
        if (spec.Bond is not { } bond)
        {
            yield break;
        }

        yield return ("Mode", WireNames.Of(bond.Mode));
        yield return ("Monitor", bond.MiimonMs is { } miimon
            ? $"miimon every {miimon} ms"
            : bond.ArpIntervalMs is { } arp ? $"arp every {arp} ms to {string.Join(", ", bond.ArpIpTargets)}" : "none");
        if (bond.Primary is not null)
        {
            yield return ("Primary", bond.Primary);
        }

        if (bond.XmitHashPolicy is { } hash)
        {
            yield return ("Transmit hash", WireNames.Of(hash));
        }

        if (bond.LacpRate is { } lacp)
        {
            yield return ("LACP rate", WireNames.Of(lacp));
        }
    }
}
