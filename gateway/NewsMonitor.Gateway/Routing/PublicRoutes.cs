using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Gateway.Routing;

/// <summary>The gateway's public routes to the services, with the access policy of each (also read by the door tests).</summary>
public static class PublicRoutes
{
    private static readonly string[] Reads = ["GET", "HEAD"];
    private static readonly string[] Writes = ["POST", "PUT", "PATCH", "DELETE"];

    /// <summary>
    /// Public routes (api.md): path pattern, methods (null: any), the service that owns them and the access policy the
    /// caller must meet. YARP makes each an endpoint, so the router's own matching (case-insensitive, on the decoded path
    /// without dot segments) selects the route and its policy together: what is checked is what is served. A method a
    /// path has no route for answers 405; a path no route serves answers 401 without a key, else 404.
    /// </summary>
    public static readonly (string Path, string[]? Methods, string Service, string Policy)[] Table =
    [
        ("/api/v1/articles", ["POST"], "Ingestion", Access.Integrators),
        ("/api/v1/articles/batch", ["POST"], "Ingestion", Access.Integrators),
        ("/api/v1/articles/{id}/topics", Reads, "Classification", Access.Integrators),
        ("/api/v1/articles/{id}/entities", Reads, "Entities", Access.Integrators),
        ("/api/v1/articles/{**rest}", Reads, "Ingestion", Access.Integrators),
        ("/api/v1/topics/{**rest}", Reads, "Classification", Access.Integrators),
        ("/api/v1/topics/{**rest}", Writes, "Classification", Access.Operators),
        ("/api/v1/entities/{**rest}", Reads, "Entities", Access.Integrators),
        ("/api/v1/entities/{**rest}", Writes, "Entities", Access.Operators),
        ("/api/v1/subscriptions/{**rest}", null, "Alerting", Access.Subscribers),
        ("/api/v1/alerts/{**rest}", Reads, "Alerting", Access.Subscribers),
        ("/api/v1/ops/replay", ["POST"], "Ingestion", Access.Operators),
        // Feeds and sitemaps the system polls (docs/sources.md): operators only, reads included, since a source list
        // and its errors describe the deployment's intake.
        ("/api/v1/sources", ["GET", "POST"], "Sources", Access.Operators),
        ("/api/v1/sources/{**rest}", ["GET", "PUT", "DELETE", "POST"], "Sources", Access.Operators),
        // A subscription's private Atom feed (issue 15): no key, the token in the path is the credential (the service
        // looks it up by hash and answers 404 to anything else); rate-limited per remote address (DoorPolicies).
        ("/feeds/{token}.atom", Reads, "Alerting", Access.Anonymous),
        // Issue 15: the unsubscribe link of alert mail. No key: the token in the path is the credential (Data Protection,
        // checked by alerting), and a mail recipient has no API key.
        ("/unsubscribe/{**rest}", ["GET", "POST"], "Alerting", Access.Anonymous),
        // Issue 15: the confirmation link of a new email address (double opt-in), anonymous for the same reason.
        ("/email/confirm/{**rest}", ["GET", "POST"], "Alerting", Access.Anonymous),
        // The integrators' event feed (pages and SSE); the events service itself keeps alert and digest events to operators.
        ("/api/v1/events", Reads, "Events", Access.Integrators),
        ("/api/v1/events/{**rest}", Reads, "Events", Access.Integrators),
    ];
}
