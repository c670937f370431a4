using NewsMonitor.Testing;

namespace NewsMonitor.Ingestion.Tests;

/// <summary>A service without the gateway's internal credential does not start (there is no open mode).</summary>
public sealed class FailClosedTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("too-short")]
    public void The_service_refuses_to_start_without_a_usable_internal_credential(string credential)
    {
        using var service = new ServiceFactory<Program>(TestInfrastructure.UniqueName("closed"), "unused", new Dictionary<string, string?> { ["NEWSMONITOR_INTERNAL_KEY"] = credential });
        var error = Assert.ThrowsAny<Exception>(() => service.CreateGatewayClient());
        Assert.Contains("NEWSMONITOR_INTERNAL_KEY", error.ToString(), StringComparison.Ordinal);
    }
}
