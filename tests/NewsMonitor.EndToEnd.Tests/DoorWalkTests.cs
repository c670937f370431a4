using System.Net.Sockets;
using System.Text;
using NewsMonitor.Gateway.Routing;
using NewsMonitor.ServiceDefaults;
using NewsMonitor.Testing;

namespace NewsMonitor.EndToEnd.Tests;

/// <summary>
/// Walks every route of the gateway's table (and the gateway's own) in the spellings an attacker tries — case variants,
/// percent-encoded letters, dot segments, repeated slashes, a trailing slash — with forged identity headers (and the real
/// internal credential, which must never pass the door), without a key, with a wrong key and with each role's key;
/// then the same directly against each service's loopback port. Requests are written byte for byte on a socket, so
/// no client library tidies the path first: the servers see what an attacker sends.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class DoorWalkTests(RunningSystem system)
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;
    private const string AnyId = "0197a0c5-1c1e-7a3b-9c2d-6f1f5d3e2b0a";
    // A feed token's shape (43 base64url characters) that no subscription has: the feed route's key-less door answers 404.
    private const string AnyToken = "Zm9yLXRoZS1kb29yLXdhbGstbm8tc3Vic2NyaXB0aW8";
    // Every request names a range in the future, so a replay an operator is allowed to start replays nothing.
    private const string Query = "?from=2100-01-01T00:00:00Z&to=2100-01-02T00:00:00Z&limit=1";

    private sealed record RawAnswer(int Status, string? ContentType);

    private sealed record Cell(string Method, string Path, string Policy, string Service);

    /// <summary>Every (method, concrete path, policy) the gateway serves: its table and its own endpoints.</summary>
    private static List<Cell> Cells()
    {
        var cells = new List<Cell>();
        foreach (var (path, methods, service, policy) in PublicRoutes.Table)
        {
            var concrete = path.Replace("{id}", AnyId, StringComparison.Ordinal).Replace("{token}", AnyToken, StringComparison.Ordinal);
            var paths = concrete.Contains("{**rest}", StringComparison.Ordinal)
                ? [concrete.Replace("/{**rest}", "", StringComparison.Ordinal), concrete.Replace("{**rest}", AnyId, StringComparison.Ordinal), concrete.Replace("{**rest}", $"{AnyId}/pause", StringComparison.Ordinal)]
                : new[] { concrete };
            foreach (var method in methods ?? ["GET", "POST", "PUT", "DELETE"])
                foreach (var each in paths) cells.Add(new Cell(method, each, policy, service));
        }
        cells.Add(new Cell("GET", "/api/v1/keys", Access.Operators, "Gateway"));
        cells.Add(new Cell("POST", "/api/v1/keys", Access.Operators, "Gateway"));
        cells.Add(new Cell("DELETE", $"/api/v1/keys/{AnyId}", Access.Operators, "Gateway"));
        cells.Add(new Cell("GET", "/api/v1/ops/status", Access.Operators, "Gateway"));
        cells.Add(new Cell("GET", "/api/v1/keys/me", "", "Gateway"));
        // Issue 16's operator tools, on names nothing has: an operator's walk replays and rebuilds nothing.
        cells.Add(new Cell("POST", "/api/v1/ops/errors/nothing-here/replay", Access.Operators, "Gateway"));
        cells.Add(new Cell("POST", "/api/v1/ops/projections/NoSuchProjection/rebuild", Access.Operators, "Gateway"));
        return cells;
    }

    /// <summary>The spellings of one path that a router may take for it.</summary>
    private static IEnumerable<string> Variants(string path)
    {
        if (!path.StartsWith("/api/v1", StringComparison.Ordinal))
        {
            // A path outside /api/v1 (the Atom feed, the mail links): the same tricks on its own first segment.
            var end = path.IndexOf('/', 1);
            var first = path[1..(end < 0 ? path.Length : end)];
            var tail = path[(first.Length + 1)..];
            yield return path;
            yield return path.ToUpperInvariant();
            yield return "/" + char.ToUpperInvariant(first[0]) + first[1..] + tail;
            yield return $"/%{(int)first[0]:x2}{first[1..]}{tail}";
            yield return $"/x/../{first}{tail}";
            yield return $"/./{first}{tail}";
            yield return $"/x/%2e%2e/{first}{tail}";
            yield return $"//{first}/{tail.Replace("/", "//", StringComparison.Ordinal)}";
            yield return path + "/";
            yield break;
        }
        var rest = path["/api/v1".Length..];
        yield return path;
        yield return path.ToUpperInvariant();
        yield return "/Api/V1" + (rest.Length > 1 ? "/" + char.ToUpperInvariant(rest[1]) + rest[2..] : rest);
        yield return "/%61pi/v1" + rest;
        yield return "/%41%50%49/%76%31" + rest;
        yield return "/api/v1/x/.." + rest;
        yield return "/api/./v1" + rest;
        yield return "/api/v1/x/%2e%2e" + rest;
        yield return "//api//v1" + rest.Replace("/", "//", StringComparison.Ordinal);
        yield return path + "/";
    }

    private static bool Allows(string policy, string role) => policy switch
    {
        "" or Access.Anonymous => true,
        Access.Operators => role == "operator",
        Access.Integrators => role is "operator" or "integrator",
        Access.Subscribers => role is "operator" or "subscriber",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };

    /// <summary>Sends one request exactly as written and reads its status line and content type.</summary>
    private static async Task<RawAnswer> SendRawAsync(Uri server, string method, string target, IEnumerable<(string Name, string Value)> headers)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, timeout.Token);
        await using var stream = tcp.GetStream();
        var request = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers) request.Append(name).Append(": ").Append(value).Append("\r\n");
        if (method is "POST" or "PUT" or "PATCH") request.Append("Content-Length: 0\r\n");
        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException($"{method} {target}: no answer");
        string? contentType = null;
        // Headers only: an alert stream never ends.
        while (await reader.ReadLineAsync(timeout.Token) is { Length: > 0 } line)
            if (line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)) contentType = line["Content-Type:".Length..].Trim();
        return new RawAnswer(int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), contentType);
    }

    private static readonly (string, string)[] ForgedIdentity =
        [(Caller.RoleHeader, "operator"), (Caller.TenantHeader, "default"), (GatewayCredential.Header, RunningSystem.InternalKey)];

    [Fact]
    public async Task No_spelling_of_any_route_lets_a_caller_past_its_role_at_the_gateway()
    {
        var gateway = system.GatewayAddress;
        var failures = new List<string>();
        var requests = 0;
        foreach (var cell in Cells())
        {
            // Fresh keys per route: the walk must not drain the rate limit of a key another test uses.
            var keys = new Dictionary<string, string?>
            {
                ["none"] = null,
                ["bad"] = "nm_not-a-key-anyone-was-given",
                ["operator"] = await system.IssueKeyAsync("operator", "default", "door walk"),
                ["integrator"] = await system.IssueKeyAsync("integrator", "default", "door walk"),
                ["subscriber"] = await system.IssueKeyAsync("subscriber", "alpha", "door walk"),
            };
            foreach (var variant in Variants(cell.Path))
            {
                foreach (var (caller, key) in keys)
                {
                    var headers = key is null ? ForgedIdentity : [.. ForgedIdentity, ("X-Api-Key", key)];
                    var answer = await SendRawAsync(gateway, cell.Method, variant + Query, headers);
                    requests++;
                    var what = $"{cell.Method} {variant} as {caller}: {answer.Status}";
                    if (answer.Status >= 500) failures.Add($"{what} (a server error)");
                    else if (cell.Policy == Access.Anonymous)
                    {
                        // No key needed: an unknown token is a 404 from the service; a spelling the route does not take, 401 or 404.
                        if (answer.Status is not (404 or 401)) failures.Add($"{what}, expected 404 (or 401 off the route)");
                    }
                    else if (key is null || caller == "bad")
                    {
                        if (answer.Status != 401) failures.Add($"{what}, expected 401");
                    }
                    else if (!Allows(cell.Policy, caller))
                    {
                        if (answer.Status is not (403 or 404 or 405)) failures.Add($"{what}, expected 403, 404 or 405");
                    }
                    else if (answer.Status is 401 or 403) failures.Add($"{what}, but the role may");
                    if (answer.Status is 401 or 403 && answer.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
                        failures.Add($"{what} without problem+json ({answer.ContentType})");
                }
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{requests} requests through the gateway");
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests}:\n" + string.Join("\n", failures.Take(60)));
    }

    [Fact]
    public async Task Each_service_port_answers_401_to_every_spelling_without_the_credential_and_an_identity()
    {
        var failures = new List<string>();
        var requests = 0;
        // What reaches a service port straight: nothing, forged identity with a guess or a look-alike of the credential,
        // the real credential without identity, with an identity that is not one, or with two.
        (string Name, (string, string)[] Headers)[] intruders =
        [
            ("nothing", []),
            ("forged identity", [(Caller.RoleHeader, "operator"), (Caller.TenantHeader, "default")]),
            ("guessed credential", [(GatewayCredential.Header, "a-guess"), (Caller.RoleHeader, "operator"), (Caller.TenantHeader, "default")]),
            ("credential with a changed case", [(GatewayCredential.Header, RunningSystem.InternalKey.ToUpperInvariant()), (Caller.RoleHeader, "operator"), (Caller.TenantHeader, "default")]),
            ("credential, no identity", [(GatewayCredential.Header, RunningSystem.InternalKey)]),
            ("credential, no tenant", [(GatewayCredential.Header, RunningSystem.InternalKey), (Caller.RoleHeader, "operator")]),
            ("credential, unknown role", [(GatewayCredential.Header, RunningSystem.InternalKey), (Caller.RoleHeader, "Operator"), (Caller.TenantHeader, "default")]),
            ("credential, two roles", [(GatewayCredential.Header, RunningSystem.InternalKey), (Caller.RoleHeader, "subscriber"), (Caller.RoleHeader, "operator"), (Caller.TenantHeader, "default")]),
            ("two credentials", [(GatewayCredential.Header, "a-guess"), (GatewayCredential.Header, RunningSystem.InternalKey), (Caller.RoleHeader, "operator"), (Caller.TenantHeader, "default")]),
        ];
        var cells = Cells().Where(cell => cell.Service != "Gateway").ToList();
        foreach (var service in new[] { "Ingestion", "Classification", "Entities", "Alerting", "Sources", "Events" })
        {
            var address = system.ServiceAddress(service);
            var paths = cells.Where(cell => cell.Service == service).Append(new Cell("GET", "/internal/projections", Access.Operators, service));
            foreach (var cell in paths)
            {
                foreach (var variant in cell.Path.StartsWith("/api/v1", StringComparison.Ordinal) ? Variants(cell.Path) : [cell.Path, cell.Path.ToUpperInvariant(), "/%69nternal/projections", "//internal//projections"])
                {
                    foreach (var (name, headers) in intruders)
                    {
                        var answer = await SendRawAsync(address, cell.Method, variant + Query, headers);
                        requests++;
                        // The feed needs the credential but no identity: with exactly the real credential it is the gateway's request (404: unknown token).
                        var forwarded = cell.Policy == Access.Anonymous && headers.Count(header => header.Item1 == GatewayCredential.Header) == 1
                            && headers.Contains((GatewayCredential.Header, RunningSystem.InternalKey));
                        if (forwarded ? answer.Status is not (404 or 401) : answer.Status != 401)
                            failures.Add($"{service}: {cell.Method} {variant} with {name}: {answer.Status}, expected {(forwarded ? "404" : "401")}");
                    }
                    // The real credential with a subscriber's identity: the service applies the route's policy itself.
                    var subscriber = await SendRawAsync(address, cell.Method, variant + Query,
                        [(GatewayCredential.Header, RunningSystem.InternalKey), (Caller.RoleHeader, "subscriber"), (Caller.TenantHeader, "alpha")]);
                    requests++;
                    if (!Allows(cell.Policy, "subscriber") && subscriber.Status is not (403 or 404 or 405) || subscriber.Status >= 500)
                        failures.Add($"{service}: {cell.Method} {variant} as a subscriber with the credential: {subscriber.Status}");
                }
            }
            // Health stays open for the gateway's and the orchestrator's probes, in any spelling the router matches.
            foreach (var health in new[] { "/health/live", "/HEALTH/live" })
            {
                var answer = await SendRawAsync(address, "GET", health, []);
                if (answer.Status != 200) failures.Add($"{service}: GET {health}: {answer.Status}, expected 200");
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{requests} requests to the services' ports");
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests}:\n" + string.Join("\n", failures.Take(60)));
    }
}
