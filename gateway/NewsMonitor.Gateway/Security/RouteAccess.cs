namespace NewsMonitor.Gateway.Security;

/// <summary>
/// Which role may call which public route, decided at the door before a request reaches a service (services check
/// again what is theirs: operator-only edits, a subscriber's tenant). From api.md: operators may do everything;
/// integrators submit articles and read articles, entities, topics and the event feed; subscribers manage their own
/// subscriptions and read their own alerts. Pure.
/// </summary>
public static class RouteAccess
{
    /// <summary>Whether <paramref name="role"/> may send <paramref name="method"/> to <paramref name="path"/>.</summary>
    public static bool Allows(string role, string method, string path)
    {
        if (role == "operator") return true;
        // Every key may ask who it is (the dashboard's sign-in).
        if (path == "/api/v1/keys/me") return HttpMethods.IsGet(method);
        var read = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        return role switch
        {
            "integrator" => Under(path, "/api/v1/articles") && (read || HttpMethods.IsPost(method) && IsSubmission(path))
                || read && (Under(path, "/api/v1/entities") || Under(path, "/api/v1/topics") || Under(path, "/api/v1/events")),
            "subscriber" => Under(path, "/api/v1/subscriptions") || read && Under(path, "/api/v1/alerts"),
            _ => false,
        };
    }

    private static bool IsSubmission(string path) =>
        path.TrimEnd('/') is "/api/v1/articles" or "/api/v1/articles/batch";

    private static bool Under(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');
}
