Console.Error.WriteLine("usage: newsmonitor import <file.ndjson | folder | feeds.opml>");
return 2;
