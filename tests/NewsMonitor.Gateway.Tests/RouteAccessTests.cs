using NewsMonitor.Gateway.Security;

namespace NewsMonitor.Gateway.Tests;

/// <summary>The role policy at the door (api.md), pure.</summary>
public class RouteAccessTests
{
    [Theory]
    [InlineData("operator", "POST", "/api/v1/keys", true)]
    [InlineData("operator", "DELETE", "/api/v1/topics/x", true)]
    [InlineData("integrator", "POST", "/api/v1/articles", true)]
    [InlineData("integrator", "POST", "/api/v1/articles/batch", true)]
    [InlineData("integrator", "GET", "/api/v1/articles/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11/entities", true)]
    [InlineData("integrator", "GET", "/api/v1/entities/trending", true)]
    [InlineData("integrator", "GET", "/api/v1/topics/defense/timeline", true)]
    [InlineData("integrator", "GET", "/api/v1/events", true)]
    [InlineData("integrator", "POST", "/api/v1/topics", false)]
    [InlineData("integrator", "POST", "/api/v1/entities", false)]
    [InlineData("integrator", "POST", "/api/v1/articles/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11", false)]
    [InlineData("integrator", "GET", "/api/v1/subscriptions", false)]
    [InlineData("integrator", "GET", "/api/v1/alerts", false)]
    [InlineData("integrator", "POST", "/api/v1/ops/replay", false)]
    [InlineData("integrator", "GET", "/api/v1/keys", false)]
    [InlineData("integrator", "GET", "/api/v1/articlesx", false)]
    [InlineData("subscriber", "POST", "/api/v1/subscriptions", true)]
    [InlineData("subscriber", "DELETE", "/api/v1/subscriptions/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11", true)]
    [InlineData("subscriber", "GET", "/api/v1/alerts/stream", true)]
    [InlineData("subscriber", "POST", "/api/v1/alerts", false)]
    [InlineData("subscriber", "GET", "/api/v1/articles/6f1f5d3e-2b0a-4c57-9a43-0c1e6f0b9a11", false)]
    [InlineData("subscriber", "POST", "/api/v1/articles", false)]
    [InlineData("subscriber", "GET", "/api/v1/keys", false)]
    [InlineData("subscriber", "GET", "/api/v1/topics", false)]
    [InlineData("guest", "GET", "/api/v1/topics", false)]
    [InlineData("subscriber", "GET", "/api/v1/keys/me", true)]
    [InlineData("integrator", "GET", "/api/v1/keys/me", true)]
    [InlineData("integrator", "DELETE", "/api/v1/keys/me", false)]
    public void Roles_reach_what_api_md_gives_them(string role, string method, string path, bool allowed) =>
        Assert.Equal(allowed, RouteAccess.Allows(role, method, path));
}
