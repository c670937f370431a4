using Xunit.Sdk;
using Xunit.v3;

namespace NewsMonitor.Reliability.Tests;

/// <summary>
/// Runs a class's tests in the order of their method names (A01_, A02_, ...): the fault scenarios' results table reads
/// in that order, and the baseline runs before any fault.
/// </summary>
public sealed class DeclarationOrder : ITestCaseOrderer
{
    /// <inheritdoc />
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases) where TTestCase : notnull, ITestCase =>
        testCases.OrderBy(testCase => testCase.TestMethodName ?? testCase.TestCaseDisplayName, StringComparer.Ordinal).ToList();
}
