"""What the tools share: argument types, one upstream call with progress, errors, output, threads, files."""
