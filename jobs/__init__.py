"""cronsuite's jobs: one module per job plus the small runtime that runs them (docs/runtime.md)."""
