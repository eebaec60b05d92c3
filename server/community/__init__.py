"""Community rules outside rooms: pure functions, no I/O."""
