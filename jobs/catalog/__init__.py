"""cronsuite's own jobs, one module each: a module dropped here is a job (jobs/runtime/discovery.py)."""
