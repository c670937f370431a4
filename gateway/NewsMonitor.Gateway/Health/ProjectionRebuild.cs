using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using NewsMonitor.Gateway.Routing;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Gateway.Health;

/// <summary>Answer of <c>POST /api/v1/ops/projections/{name}/rebuild</c>.</summary>
public sealed record RebuiltProjection(string Service, string Projection, long Position, long ElapsedMs);

/// <summary>
/// <c>POST /api/v1/ops/projections/{name}/rebuild?service=</c> (operators): finds the service that owns projection
/// <c>name</c> (as <c>GET /api/v1/ops/status</c> lists it, with or without its <c>:All</c> suffix) by asking every
/// service's <c>/internal/projections</c>, and has it rebuild the projection from its events
/// (<see cref="EventStoreExtensions.MapProjectionRebuild"/>); answers when the rebuild has finished. <c>service</c>
/// (lower case, e.g. <c>entities</c>) names the owner instead: needed when two services list the same name (409
/// otherwise), and to ask a service about a projection it does not list (inline ones, which it refuses with a reason).
/// </summary>
public static partial class ProjectionRebuild
{
    /// <summary>How long the gateway waits for a rebuild: the service's own limit and a margin for its answer.</summary>
    private static readonly TimeSpan Wait = EventStoreExtensions.RebuildTimeout + TimeSpan.FromSeconds(15);

    /// <summary>The projection a name refers to (without its <c>:All</c> shard suffix), or false when the name is malformed.</summary>
    public static bool TryParse(string? name, out string projection)
    {
        projection = "";
        if (name is null || !Pattern().IsMatch(name)) return false;
        projection = BaseOf(name);
        return true;
    }

    /// <summary>A shard or projection name without its <c>:All</c> suffix.</summary>
    public static string BaseOf(string name) => name.EndsWith(":All", StringComparison.Ordinal) ? name[..^":All".Length] : name;

    /// <summary>Maps the endpoint.</summary>
    public static WebApplication MapOpsProjectionRebuild(this WebApplication app)
    {
        app.MapPost("/api/v1/ops/projections/{name}/rebuild", async (string name, string? service, IHttpClientFactory clients, IConfiguration configuration,
            InternalCredential credential, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (!TryParse(name, out var projection))
                return Problems.BadRequest("Invalid projection name", "name is a projection as GET /api/v1/ops/status lists it: letters, digits, '.', '_' and '-', optionally ending in :All.",
                    new Dictionary<string, string[]> { ["name"] = ["^[A-Za-z0-9][A-Za-z0-9._-]{0,199}(:All)?$"] });
            var caller = Caller.From(http);
            string owner;
            if (service is not null)
            {
                owner = ServiceRoutes.Services.ToDictionary(candidate => candidate.ToLowerInvariant(), StringComparer.Ordinal).GetValueOrDefault(service) ?? "";
                if (owner.Length == 0)
                    return Problems.BadRequest("Invalid service", $"service is one of {string.Join(", ", ServiceRoutes.Services.Select(candidate => candidate.ToLowerInvariant()))}.",
                        new Dictionary<string, string[]> { ["service"] = ["unknown service"] });
            }
            else
            {
                var lister = clients.CreateClient(nameof(AggregateHealth));
                var listings = await Task.WhenAll(ServiceRoutes.Services.Select(async candidate =>
                    (Key: candidate, Listing: await OpsStatus.ProjectionsAsync(lister, candidate, configuration[$"Services:{candidate}"]!, credential, caller, cancellationToken))));
                var owners = listings.Where(each => each.Listing.Projections?.Any(listed => BaseOf(listed.Name) == projection) == true).Select(each => each.Key).ToList();
                if (owners.Count > 1)
                    return Problems.Conflict($"Several services have a projection named {projection} ({string.Join(", ", owners.Select(each => each.ToLowerInvariant()))}); name one with ?service=.");
                if (owners.Count == 0)
                {
                    var unreachable = listings.Where(each => each.Listing.Error is not null).Select(each => each.Key.ToLowerInvariant()).ToList();
                    return unreachable.Count > 0
                        ? Problems.Of(StatusCodes.Status503ServiceUnavailable, "Services unreachable", $"No reachable service lists a projection named {projection}, and {string.Join(", ", unreachable)} could not be asked.")
                        : Problems.NotFound($"No service lists a projection named {projection}. Inline projections are not listed: name the service with ?service= to ask it.",
                            new Dictionary<string, object?> { ["name"] = name });
                }
                owner = owners[0];
            }
            return await ForwardAsync(clients, new Uri(configuration[$"Services:{owner}"]!), owner.ToLowerInvariant(), projection, credential, caller, cancellationToken);
        }).RequireAuthorization(Access.Operators);
        return app;
    }

    private static async Task<IResult> ForwardAsync(IHttpClientFactory clients, Uri service, string serviceName, string projection, InternalCredential credential, Caller caller, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(nameof(ProjectionRebuild));
        client.Timeout = Timeout.InfiniteTimeSpan; // bounded by the token below instead
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(Wait);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(service, $"/internal/projections/{Uri.EscapeDataString(projection)}/rebuild"));
        GatewayCredential.Authorize(request, credential.Key, caller);
        try
        {
            using var response = await client.SendAsync(request, wait.Token);
            if (response.IsSuccessStatusCode)
            {
                var rebuilt = await response.Content.ReadFromJsonAsync<ProjectionRebuilt>(wait.Token);
                return TypedResults.Ok(new RebuiltProjection(serviceName, rebuilt!.Projection, rebuilt.Position, rebuilt.ElapsedMs));
            }
            // The service's problem (409 with its reason, 404, 504) is the answer, with the service named.
            var problem = await ReadProblemAsync(response, wait.Token);
            return Problems.Of((int)response.StatusCode, problem.Title ?? "Rebuild refused", $"{serviceName}: {problem.Detail ?? $"answered {(int)response.StatusCode}"}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Problems.Of(StatusCodes.Status504GatewayTimeout, "Rebuild timed out", $"{serviceName} did not finish rebuilding {projection} within {Wait.TotalMinutes:N0} minutes; it may still be running.");
        }
        catch (HttpRequestException exception)
        {
            return Problems.Of(StatusCodes.Status502BadGateway, "Service unreachable", $"{serviceName}: {exception.Message}");
        }
    }

    private sealed record ProblemText(string? Title, string? Detail);

    private static async Task<ProblemText> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<ProblemText>(cancellationToken) ?? new ProblemText(null, null);
        }
        catch (JsonException)
        {
            return new ProblemText(null, null);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}(:All)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
