using Fleet.Api.Configuration;

namespace Fleet.Api.Demo;

/// <summary><c>--demo</c> on the command line (or <c>Fleet:Demo=true</c>) starts <see cref="DemoFleet"/>.</summary>
public static class DemoHosting
{
    /// <summary>The command-line switch.</summary>
    public const string Switch = "--demo";

    /// <summary>The configuration key that does the same.</summary>
    public const string ConfigurationKey = "Fleet:Demo";

    /// <summary>
    /// Takes <c>--demo</c> out of the arguments: the configuration command-line provider would otherwise read the next
    /// argument as its value (<c>--demo --urls …</c> would lose <c>--urls</c>).
    /// </summary>
    public static string[] TakeSwitch(string[] args, out bool demo)
    {
        demo = args.Contains(Switch, StringComparer.Ordinal);
        return demo ? [.. args.Where(a => a != Switch)] : args;
    }

    public static WebApplicationBuilder AddDemoFleet(this WebApplicationBuilder builder, bool demo)
    {
        if (demo || builder.Configuration.GetValue<bool>(ConfigurationKey))
        {
            builder.Services.AddHostedService<DemoFleet>();

            // Zero setup: without a certificate the demo keeps its key ring unencrypted (and says so at start).
            builder.Services.PostConfigure<FleetOptions>(o => o.DataProtection.AllowUnencryptedKeyRing |= string.IsNullOrWhiteSpace(o.DataProtection.CertificatePath));
        }

        return builder;
    }
}
