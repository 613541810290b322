"""Search backends: one interface (base.SearchBackend), two engines."""
