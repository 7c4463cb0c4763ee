using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Api.Tests.Validation;

/// <summary>
/// Table-driven bad input: malformed JSON, wrong types, bad interface names, out-of-range numbers, exclusive options,
/// unknown fields, oversize bodies, bad query parameters. Each must get a 4xx RFC 7807 ProblemDetails (with the field
/// path where one applies) and leave every row of the database as it was. Never a 500.
/// </summary>
public abstract class BadInputTests(ApiFixture fixture)
{
    /// <summary>One bad request. Path and body may use {host}, {link}, {user}; PUT …/spec gets the link's ETag.</summary>
    public sealed record Case(string Name, string Method, string Path, string? Body, string? Field = null, int? Status = null,
        string ContentType = "application/json", bool Anonymous = false);

    private const string BondSpec = """{"kind":"bond","name":"bond1","members":[{"interface":"eth1"},{"interface":"eth2"}],"addresses":["10.9.0.1/30"],"bond":{"mode":"active-backup","miimonMs":100,"primary":"eth1"}}""";
    private const string StriperSpec = $$$"""{"kind":"striper","name":"str1","members":[{"interface":"eth1","localPort":7000,"peer":"192.0.2.1:7000","weight":1},{"interface":"eth2","localPort":7001,"peer":"192.0.2.2:7001","weight":3}],"addresses":["10.9.0.1/30"],"striper":{"key":"{{{Specs.StriperKey}}}"}}""";
    private const string MptcpSpec = """{"kind":"mptcp","name":"mp0","members":[{"interface":"eth1","address":"10.0.0.1","mptcpFlags":["subflow"]},{"interface":"eth2","mptcpFlags":["signal"]}]}""";
    private const string Links = "/api/v1/links";
    private const string Spec = "/api/v1/links/{link}/spec";

    private static readonly Case[] s_cases =
    [
        // Malformed JSON.
        new("json_truncated", "POST", Links, """{"hostId":"{host}","spec":{"""),
        new("json_trailing_comma", "POST", Links, """{"hostId":"{host}",}"""),
        new("json_not_json", "POST", Links, "hello"),
        new("json_comment", "POST", Links, """{/* no */"hostId":"{host}"}"""),
        new("json_empty_body", "POST", Links, ""),
        new("json_array_root", "POST", Links, "[]"),
        new("json_null_root", "POST", Links, "null"),
        new("json_single_quotes", "POST", Links, "{'hostId':'{host}'}"),
        new("json_put_spec_truncated", "PUT", Spec, """{"kind":"bond","name":"""),
        new("json_put_spec_null", "PUT", Spec, "null"),

        // Wrong types.
        new("type_host_id_number", "POST", Links, Create(BondSpec, r => r["hostId"] = 123), "hostId"),
        new("type_host_id_not_guid", "POST", Links, Create(BondSpec, r => r["hostId"] = "abc"), "hostId"),
        new("type_members_string", "POST", Links, Create(BondSpec, s => s["members"] = "eth1", inSpec: true), "spec.members"),
        new("type_mtu_string", "POST", Links, Create(BondSpec, s => s["mtu"] = "1500", inSpec: true), "spec.mtu"),
        new("type_kind_integer", "POST", Links, Create(BondSpec, s => s["kind"] = 0, inSpec: true), "spec.kind"),
        new("type_kind_unknown", "POST", Links, Create(BondSpec, s => s["kind"] = "bonding", inSpec: true), "spec.kind"),
        new("type_timeout_fraction", "POST", Links, Create(BondSpec, s => s["confirmTimeoutSeconds"] = 1.5, inSpec: true), "spec.confirmTimeoutSeconds"),
        new("type_repair_drift_string", "POST", Links, Create(BondSpec, s => s["repairDrift"] = "yes", inSpec: true), "spec.repairDrift"),
        new("type_weight_bool", "POST", Links, Create(StriperSpec, s => s["members"]![0]!["weight"] = true, inSpec: true), "spec.members[0].weight"),
        new("type_name_null", "POST", Links, Create(BondSpec, s => s["name"] = null, inSpec: true), "spec.name"),
        new("type_mtu_overflow", "POST", Links, Create(BondSpec, s => s["mtu"] = 1_000_000_000_000L, inSpec: true), "spec.mtu"),
        new("missing_spec", "POST", Links, """{"hostId":"{host}"}"""),
        new("missing_members", "POST", Links, Create(BondSpec, s => s.Remove("members"), inSpec: true)),

        // Interface names.
        new("ifname_slash", "POST", Links, Create(BondSpec, s => s["name"] = "bond/0", inSpec: true), "spec.name"),
        new("ifname_too_long", "POST", Links, Create(BondSpec, s => s["name"] = "bond-name-too-long", inSpec: true), "spec.name"),
        new("ifname_empty", "POST", Links, Create(BondSpec, s => s["name"] = "", inSpec: true), "spec.name"),
        new("ifname_dotdot_member", "POST", Links, Create(BondSpec, s => s["members"]![1]!["interface"] = "..", inSpec: true), "spec.members[1].interface"),
        new("ifname_space_member", "POST", Links, Create(BondSpec, s => s["members"]![1]!["interface"] = "eth 2", inSpec: true), "spec.members[1].interface"),
        new("ifname_duplicate_member", "POST", Links, Create(BondSpec, s => s["members"]![1]!["interface"] = "eth1", inSpec: true), "spec.members[1].interface"),
        new("ifname_member_is_device", "POST", Links, Create(BondSpec, s => s["members"]![1]!["interface"] = "bond1", inSpec: true), "spec.members[1].interface"),
        new("ifname_non_ascii", "POST", Links, Create(BondSpec, s => s["name"] = "bönd0", inSpec: true), "spec.name"),
        new("ifname_put_spec_colon", "PUT", Spec, Mutate(BondSpec, s => s["name"] = "bond0:1"), "name"),

        // Out-of-range numbers.
        new("range_mtu_low", "POST", Links, Create(BondSpec, s => s["mtu"] = 10, inSpec: true), "spec.mtu"),
        new("range_confirm_timeout", "POST", Links, Create(BondSpec, s => s["confirmTimeoutSeconds"] = 1, inSpec: true), "spec.confirmTimeoutSeconds"),
        new("range_miimon_negative", "POST", Links, Create(BondSpec, s => s["bond"]!["miimonMs"] = -5, inSpec: true), "spec.bond.miimonMs"),
        new("range_local_port", "POST", Links, Create(StriperSpec, s => s["members"]![0]!["localPort"] = 70000, inSpec: true), "spec.members[0].localPort"),
        new("range_weight_zero", "POST", Links, Create(StriperSpec, s => s["members"]![0]!["weight"] = 0, inSpec: true), "spec.members[0].weight"),
        new("adopt_on_mptcp", "POST", Links, Create(MptcpSpec, s => s["adopt"] = true, inSpec: true), "spec.adopt"),
        new("type_adopt_string", "POST", Links, Create(BondSpec, s => s["adopt"] = "yes", inSpec: true), "spec.adopt"),
        new("range_subflows", "POST", Links, Create(MptcpSpec, s => s["mptcp"] = new JsonObject { ["subflowsLimit"] = 99 }, inSpec: true), "spec.mptcp.subflowsLimit"),
        new("range_rate_negative", "POST", Links, Create(BondSpec, s => s["members"]![0]!["rateBitsPerSecond"] = -1, inSpec: true), "spec.members[0].rateBitsPerSecond"),
        new("range_striper_key_short", "POST", Links, Create(StriperSpec, s => s["striper"]!["key"] = "c2hvcnQ=", inSpec: true), "spec.striper.key"),
        new("range_put_spec_mtu_high", "PUT", Spec, Mutate(BondSpec, s => s["mtu"] = 70000), "mtu"),

        // Traffic policy (tiers, classes).
        new("tier_unknown", "POST", Links, Create(StriperSpec, s => s["members"]![1]!["tier"] = "sometimes", inSpec: true)),
        new("tier_on_bond", "POST", Links, Create(BondSpec, s => s["members"]![1]!["tier"] = "overflow", inSpec: true), "spec.members[1].tier"),
        new("tier_all_never", "POST", Links, Create(StriperSpec, s => { s["members"]![0]!["tier"] = "never"; s["members"]![1]!["tier"] = "never"; }, inSpec: true), "spec.members"),
        new("class_bad_port", "POST", Links, Create(StriperSpec, s => s["striper"]!["classes"] = JsonNode.Parse("""[{"name":"voice","action":"fec","match":{"protocol":"udp","destinationPorts":["70000"]}}]"""), inSpec: true), "spec.striper.classes[0].match.destinationPorts[0]"),
        new("class_shadowed", "POST", Links, Create(StriperSpec, s => s["striper"]!["classes"] = JsonNode.Parse("""[{"name":"all-udp","action":"pin","match":{"protocol":"udp"}},{"name":"voice","action":"duplicate","match":{"protocol":"udp","dscp":[46]}}]"""), inSpec: true), "spec.striper.classes[1].match"),
        new("class_options_of_another_action", "POST", Links, Create(StriperSpec, s => s["striper"]!["classes"] = JsonNode.Parse("""[{"name":"ssh","action":"pin","fec":{"maxDelayMs":20}}]"""), inSpec: true), "spec.striper.classes[0].fec"),

        // Exclusive or missing options.
        new("exclusive_miimon_arp", "POST", Links, Create(BondSpec, s => { s["bond"]!["arpIntervalMs"] = 100; s["bond"]!["arpIpTargets"] = new JsonArray("10.0.0.1"); }, inSpec: true), "spec.bond.arpIntervalMs"),
        new("exclusive_signal_fullmesh", "POST", Links, Create(MptcpSpec, s => s["members"]![0]!["mptcpFlags"] = new JsonArray("signal", "subflow", "fullmesh"), inSpec: true), "spec.members[0].mptcpFlags"),
        new("exclusive_bond_options_on_striper", "POST", Links, Create(StriperSpec, s => s["bond"] = new JsonObject { ["mode"] = "balance-rr", ["miimonMs"] = 100 }, inSpec: true), "spec.bond"),
        new("missing_striper_options", "POST", Links, Create(StriperSpec, s => s.Remove("striper"), inSpec: true), "spec.striper"),
        new("no_active_member", "POST", Links, Create(BondSpec, s => { s["members"]![0]!["adminState"] = "backup"; s["members"]![1]!["adminState"] = "disabled"; }, inSpec: true), "spec.members"),
        new("primary_not_member", "POST", Links, Create(BondSpec, s => s["bond"]!["primary"] = "eth9", inSpec: true), "spec.bond.primary"),
        new("address_without_prefix", "POST", Links, Create(BondSpec, s => s["addresses"] = new JsonArray("10.9.0.1"), inSpec: true), "spec.addresses[0]"),
        new("route_bad_destination", "POST", Links, Create(BondSpec, s => s["routes"] = new JsonArray(new JsonObject { ["destination"] = "10.0.0.0/33" }), inSpec: true), "spec.routes[0].destination"),

        // Unknown fields.
        new("unknown_field_request", "POST", Links, Create(BondSpec, r => r["extra"] = 1)),
        new("unknown_field_spec", "POST", Links, Create(BondSpec, s => s["speed"] = 1000, inSpec: true)),
        new("unknown_field_member", "POST", Links, Create(BondSpec, s => s["members"]![0]!["speed"] = 1000, inSpec: true)),
        new("unknown_field_bond", "POST", Links, Create(BondSpec, s => s["bond"]!["lacp"] = "fast", inSpec: true)),
        new("unknown_field_put_spec", "PUT", Spec, Mutate(BondSpec, s => s["color"] = "red")),
        new("unknown_field_enroll", "POST", "/api/v1/agents/enroll", """{"token":"fleet_e_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","hostname":"h","admin":true}""", Anonymous: true),
        new("unknown_field_api_key", "POST", "/api/v1/api-keys", """{"name":"k","role":"viewer","scopes":["all"]}"""),

        // Size and media type.
        new("oversize_create_link", "POST", Links, Create(BondSpec, r => r["reason"] = new string('x', 100_000)), Status: 413),
        new("oversize_enroll", "POST", "/api/v1/agents/enroll", $$"""{"token":"{{new string('a', 200_000)}}","hostname":"h"}""", Status: 413, Anonymous: true),
        new("content_type_text", "POST", Links, Create(BondSpec, _ => { }), Status: 415, ContentType: "text/plain"),
        new("content_type_form", "PUT", Spec, "kind=bond", Status: 415, ContentType: "application/x-www-form-urlencoded"),
        new("reason_too_long", "POST", Links, Create(BondSpec, r => r["reason"] = new string('x', 600)), "reason"),

        // Other resources.
        new("enroll_bad_hostname", "POST", "/api/v1/agents/enroll", """{"token":"fleet_e_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","hostname":"a b"}""", "hostname", Anonymous: true),
        new("token_max_uses_zero", "POST", "/api/v1/enrollment-tokens", """{"maxUses":0}""", "maxUses"),
        new("token_short_expiry", "POST", "/api/v1/enrollment-tokens", """{"expiresInSeconds":10}""", "expiresInSeconds"),
        new("api_key_unknown_role", "POST", "/api/v1/api-keys", """{"name":"k","role":"root"}""", "role"),
        new("api_key_empty_name", "POST", "/api/v1/api-keys", """{"name":"","role":"viewer"}""", "name"),
        new("api_key_expired", "POST", "/api/v1/api-keys", """{"name":"k","role":"viewer","expiresAt":"2000-01-01T00:00:00Z"}""", "expiresAt"),
        new("user_short_password", "POST", "/api/v1/users", """{"userName":"bob","password":"short","role":"viewer"}""", "password"),
        new("user_bad_name", "POST", "/api/v1/users", """{"userName":"bob smith!","password":"long enough password","role":"viewer"}""", "userName"),
        new("user_patch_wrong_type", "PATCH", "/api/v1/users/{user}", """{"disabled":"yes"}""", "disabled"),
        new("host_patch_bad_label", "PATCH", "/api/v1/hosts/{host}", """{"labels":{"bad key":"x"}}""", "labels.bad key"),
        new("host_patch_blank_name", "PATCH", "/api/v1/hosts/{host}", """{"name":"   "}""", "name"),
        new("revert_reason_too_long", "POST", $"/api/v1/links/{{link}}/revisions/1/revert?reason={new string('r', 600)}", null, "reason"),

        // Query parameters.
        new("query_limit_zero", "GET", "/api/v1/links?limit=0", null, "limit"),
        new("query_limit_huge", "GET", "/api/v1/hosts?limit=1000000", null, "limit"),
        new("query_limit_not_number", "GET", "/api/v1/links?limit=abc", null, "limit", Status: 400),
        new("query_limit_overflow", "GET", "/api/v1/users?limit=99999999999", null, "limit", Status: 400),
        new("query_host_id_not_guid", "GET", "/api/v1/events?hostId=xyz", null, "hostId", Status: 400),
        new("query_cursor_garbage", "GET", "/api/v1/events?cursor=not-a-cursor", null, "cursor"),
        new("query_resolution_unknown", "GET", "/api/v1/links/{link}/samples?resolution=5m", null, "resolution"),
        new("query_from_after_to", "GET", "/api/v1/events?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", null, "from"),
        new("query_kind_unknown", "GET", "/api/v1/links?kind=bonding", null, "kind"),
        new("query_host_status_unknown", "GET", "/api/v1/hosts?status=gone", null, "status"),
        new("query_from_not_a_date", "GET", "/api/v1/links/{link}/samples?from=yesterday", null, "from", Status: 400),
        new("query_samples_site_zero", "GET", "/api/v1/links/{link}/samples?site=0", null, "site"),
        new("query_samples_site_not_a_number", "GET", "/api/v1/links/{link}/samples?site=three", null, "site", Status: 400),
        new("query_samples_to_year_one", "GET", "/api/v1/links/{link}/samples?to=0001-01-01T00:00:00Z", null, "to", Status: 400),
        new("query_samples_to_year_one_hourly", "GET", "/api/v1/links/{link}/samples?resolution=1h&to=0001-01-10T00:00:00Z", null, "to", Status: 400),
        new("query_member_samples_to_year_one", "GET", "/api/v1/links/{link}/members/eth1/samples?to=0001-01-01T00:00:00Z", null, "to", Status: 400),
        new("query_samples_from_year_one", "GET", "/api/v1/links/{link}/samples?from=0001-01-01T00:00:00Z&to=0001-01-01T00:00:01Z", null, "from", Status: 400),
        new("query_samples_to_year_9999", "GET", "/api/v1/links/{link}/samples?from=9999-12-31T23:00:00Z&to=9999-12-31T23:59:59.9999999Z", null, "to", Status: 400),
        new("query_events_from_year_one", "GET", "/api/v1/events?from=0001-01-01T00:00:00Z", null, "from", Status: 400),
        new("query_events_to_year_9999", "GET", "/api/v1/events?to=9999-12-31T23:59:59.9999999Z", null, "to", Status: 400),
        new("query_events_from_offset_underflow", "GET", "/api/v1/events?from=0001-01-01T00:00:00%2B14:00", null, "from", Status: 400),
    ];

    public static TheoryData<string> CaseNames => [.. s_cases.Select(c => c.Name)];

    [Fact]
    public void Cases_AreDistinctAndEnough()
    {
        Assert.Equal(s_cases.Length, s_cases.Select(c => c.Name).Distinct().Count());
        Assert.True(s_cases.Length >= 40, $"only {s_cases.Length} cases");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task BadInput_Returns4xxProblemDetails_AndChangesNothing(string name)
    {
        var @case = s_cases.Single(c => c.Name == name);
        var before = await fixture.Database.SnapshotAsync();
        using var client = fixture.Api.CreateBearerClient(@case.Anonymous ? "" : null);
        using var request = new HttpRequestMessage(new HttpMethod(@case.Method), Expand(@case.Path).TrimStart('/'));
        if (@case.Body is not null)
        {
            request.Content = new StringContent(Expand(@case.Body), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(@case.ContentType);
        }

        if (@case.Method == "PUT")
        {
            request.Headers.TryAddWithoutValidation("If-Match", fixture.Link.ETag);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        var problem = @case.Status is { } status
            ? await ProblemAssert.IsProblemAsync(response, (HttpStatusCode)status, name)
            : await ProblemAssert.IsClientErrorProblemAsync(response, name);
        if (@case.Field is { } field)
        {
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
                $"{name}: expected an error for '{field}' in {problem}");
        }

        Assert.Equal(before, await fixture.Database.SnapshotAsync());
    }

    [Theory]
    [InlineData("type_kind_unknown", "spec.kind", "invalid value: expected one of: bond, teql, mptcp, striper, aggregator")]
    [InlineData("type_weight_bool", "spec.members[0].weight", "invalid value: expected a number")]
    [InlineData("type_host_id_not_guid", "hostId", "invalid value: expected a UUID")]
    public async Task WrongType_MessageSaysWhatTheFieldTakes(string name, string field, string message)
    {
        var @case = s_cases.Single(c => c.Name == name);
        using var client = fixture.Api.CreateBearerClient();
        using var content = new StringContent(Expand(@case.Body!), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(Expand(@case.Path).TrimStart('/'), UriKind.Relative), content, TestContext.Current.CancellationToken);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    private string Expand(string text) => text
        .Replace("{host}", fixture.HostId.ToString(), StringComparison.Ordinal)
        .Replace("{link}", fixture.Link.Id.ToString(), StringComparison.Ordinal)
        .Replace("{user}", fixture.UserId.ToString(), StringComparison.Ordinal);

    /// <summary>A create-link request around <paramref name="spec"/>, changed by <paramref name="change"/> (on the spec or the request).</summary>
    private static string Create(string spec, Action<JsonObject> change, bool inSpec = false)
    {
        var request = new JsonObject { ["hostId"] = "{host}", ["spec"] = JsonNode.Parse(spec), ["reason"] = "bad input test" };
        change(inSpec ? request["spec"]!.AsObject() : request);
        return request.ToJsonString();
    }

    private static string Mutate(string spec, Action<JsonObject> change)
    {
        var node = JsonNode.Parse(spec)!.AsObject();
        change(node);
        return node.ToJsonString();
    }
}

public sealed class SqliteBadInputTests(SqliteApiFixture fixture) : BadInputTests(fixture), IClassFixture<SqliteApiFixture>;

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresBadInputTests(PostgresApiFixture fixture) : BadInputTests(fixture), IClassFixture<PostgresApiFixture>;
