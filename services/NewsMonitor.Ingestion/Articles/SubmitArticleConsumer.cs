using MassTransit;
using NewsMonitor.Contracts;

namespace NewsMonitor.Ingestion.Articles;

/// <summary>
/// The intake command of the sources service (<see cref="SubmitArticle"/>, request/response): the same validation and the
/// same <see cref="ArticleIntake"/> as <c>POST /api/v1/articles</c>, so there is one write path. Bad input is answered
/// <c>rejected</c> with its reason and never thrown, so no item of a feed ends in an error queue for its content; only
/// infrastructure failures (database down) throw and are retried.
/// </summary>
public sealed class SubmitArticleConsumer(ArticleIntake intake) : IConsumer<SubmitArticle>
{
    /// <summary>Outcome of a command whose article was not stored.</summary>
    public const string Rejected = "rejected";

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<SubmitArticle> context)
    {
        var command = context.Message;
        // A peer may send a message with missing members: the echo stays a string and validation names what is missing.
        var itemKey = command.ItemKey ?? "";
        var (article, errors) = ArticleValidation.Validate(new ArticleSubmission(
            command.Title, command.Body, command.Url, command.Language, command.PublishedAt, command.Source, command.Author));
        if (article is null)
        {
            await context.RespondAsync(new ArticleSubmissionResult(command.SourceId, itemKey, Rejected, null, Reason: ReasonOf(errors)));
            return;
        }

        var outcome = (await intake.SubmitAsync([article], context.CancellationToken))[0];
        await context.RespondAsync(new ArticleSubmissionResult(command.SourceId, itemKey, outcome.Status, outcome.Id, outcome.DuplicateOf, outcome.Similarity));
    }

    /// <summary>The validation errors as one sentence per field, field names first.</summary>
    public static string ReasonOf(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join(" ", errors.Select(error => $"{error.Key}: {string.Join(" ", error.Value)}"));
}
