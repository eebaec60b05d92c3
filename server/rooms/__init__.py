"""Room logic: pure rules, commands in and events out. No I/O imports here."""
