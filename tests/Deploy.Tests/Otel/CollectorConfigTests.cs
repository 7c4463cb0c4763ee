using Fleet.Deploy.Tests.Compose;
using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Otel;

/// <summary>
/// deploy/otel/otel-collector.yaml: no collector binary is packaged for Debian here, so the configuration's
/// structure is checked (what `otelcol validate` would refuse: a pipeline naming an undefined component), and the
/// compose override that runs it is checked against it.
/// </summary>
public sealed class CollectorConfigTests
{
    private const string ConfigFile = "deploy/otel/otel-collector.yaml";

    [Fact]
    public void Pipelines_UseOnlyDefinedComponents()
    {
        var config = Yaml.Load(Repository.PathOf(ConfigFile));
        var service = config.Map("service");

        foreach (var (name, pipeline) in service.Get("pipelines").Entries())
        {
            foreach (var section in new[] { "receivers", "processors", "exporters" })
            {
                var defined = config.Get(section).Entries().Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
                Assert.All(pipeline.Get(section).Scalars(), c => Assert.True(defined.Contains(c), $"pipeline {name}: {section} '{c}' is not defined"));
            }

            Assert.NotEmpty(pipeline.Get("receivers").Scalars());
            Assert.NotEmpty(pipeline.Get("exporters").Scalars());
        }

        var extensions = config.Get("extensions").Entries().Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        Assert.All(service.Get("extensions").Scalars(), e => Assert.Contains(e, extensions));
    }

    [Fact]
    public void Metrics_FlowFromOtlpToPrometheus()
    {
        var config = Yaml.Load(Repository.PathOf(ConfigFile));
        var metrics = config.Map("service").Map("pipelines").Map("metrics");
        var protocols = config.Map("receivers").Map("otlp").Map("protocols");

        Assert.Contains("otlp", metrics.Get("receivers").Scalars());
        Assert.Contains("prometheus", metrics.Get("exporters").Scalars());
        Assert.EndsWith(":4317", protocols.Map("grpc").Str("endpoint"), StringComparison.Ordinal);
        Assert.EndsWith(":4318", protocols.Map("http").Str("endpoint"), StringComparison.Ordinal);
        Assert.EndsWith(":8889", config.Map("exporters").Map("prometheus").Str("endpoint"), StringComparison.Ordinal);
        // memory_limiter must come first in each pipeline to protect the collector (its documentation's rule).
        Assert.All(config.Map("service").Get("pipelines").Entries(), p => Assert.Equal("memory_limiter", p.Value.Get("processors").Scalars().First()));
    }

    [Fact]
    public void ComposeOverride_MountsThisConfigAndPointsEveryFleetServiceAtIt()
    {
        var overlay = ComposeFile.Load(ComposeFile.ObservabilityFile);
        var collector = overlay.Service("otel-collector");
        var mount = ComposeFile.Volumes(collector).Single();

        Assert.Equal("./" + ConfigFile, mount.Source);
        Assert.Contains($"--config={mount.Target}", collector.Get("command").Scalars());
        Assert.Contains(collector.Get("ports").Scalars(), p => p.EndsWith(":8889", StringComparison.Ordinal));

        var main = ComposeFile.Load();
        foreach (var service in new[] { "api", "agent-1", "agent-2" })
        {
            Assert.Contains(service, main.ServiceNames);
            Assert.Equal("http://otel-collector:4317", ComposeFile.Environment(overlay.Service(service))["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        }

        Assert.All(ComposeFile.Networks(collector).Keys, n => Assert.NotNull(main.Root.Map("networks").Get(n)));
    }
}
