"""Kubernetes API helpers: what cronsuite does against a cluster, with the official client."""
