// newsmonitor import <file.ndjson | folder | feeds.opml>: README, "Import tool".
return await NewsMonitor.Import.ImportCommand.MainAsync(args);
