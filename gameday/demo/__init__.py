"""The embedded demo system that `gameday demo` starts, breaks and scores."""
