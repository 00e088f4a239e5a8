// Placeholder entry point; the emulator is built in its own change.
return 0;
