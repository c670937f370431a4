using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// What the gateway's key handler and the services' credential handler answer alike: a 401 problem naming why the
/// request did not authenticate (the failure, else <see cref="MissingDetail"/>), and a 403 problem naming which role
/// may not do what.
/// </summary>
public abstract class ProblemAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The 401 detail when the request carried no credential at all.</summary>
    protected abstract string MissingDetail { get; }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await Problems.Unauthorized(result.Failure?.Message ?? MissingDetail).ExecuteAsync(Context);
    }

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Forbidden($"A {Caller.From(Context.User)?.Role ?? "caller's"} key may not {Request.Method} {Request.Path}.").ExecuteAsync(Context);
}
