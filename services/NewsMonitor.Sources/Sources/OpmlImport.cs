namespace NewsMonitor.Sources.Sources;

public static partial class SourcesApi
{
    // POST /opml arrives with the Feeds library's OPML parser (merged from i14-feeds).
    static partial void MapOpml(RouteGroupBuilder group);
}
