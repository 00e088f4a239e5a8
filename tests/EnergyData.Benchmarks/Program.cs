// Placeholder entry point; the benchmark program is built in its own change.
return 0;
