"""The Kubernetes API as cronsuite's operator verbs use it: which cluster the configuration
names, and every call bounded as a whole and turned into an error a person can act on.

The configuration is found as the official client finds it (a ServiceAccount in a pod, else
`--kubeconfig`, KUBECONFIG or ~/.kube/config), so `python -m jobs status` talks to the cluster
`kubectl` talks to. None of it names a cluster: `connect()` answers None, and the verbs work on
this machine instead.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import urllib3
import yaml
from kubernetes import client, config
from kubernetes.config import incluster_config, kube_config

from app.bounded import within
from jobs.runtime.errors import ConfigurationError, JobFailed

# Seconds one API call may take, whole (connect, send, every read): a hung API server must not
# hold an operator's terminal or the admin's request.
REQUEST_TIMEOUT = 10
# Who `managedFields` says changed a field (server-side apply's ownership): Helm 4 sees this name
# when its apply meets our `spec.suspend` (docs/operations.md).
FIELD_MANAGER = "cronsuite"
HOW_TO_CONFIGURE = (
    "Set KUBECONFIG (or pass --kubeconfig) to a kubeconfig file whose current context names the "
    "cluster, as `kubectl config current-context` shows; in a pod, mount a ServiceAccount token "
    "(automountServiceAccountToken: true)."
)


class NotConfigured(ConfigurationError):
    """No usable kubeconfig or in-cluster configuration where one was asked for."""


class Forbidden(ConfigurationError):
    """The API server refused the call (401, 403): retrying cannot help, RBAC can."""


class Unreachable(JobFailed):
    """The API server did not answer, or not within the timeout."""


class ApiError(JobFailed):
    """Any other refusal (404 for an object deleted meanwhile, 409, 5xx)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass
class Cluster:
    """One configured API server: where it is (for messages) and its default namespace."""

    api_client: client.ApiClient
    server: str
    namespace: str
    timeout: float = REQUEST_TIMEOUT

    @property
    def batch(self) -> client.BatchV1Api:
        return client.BatchV1Api(self.api_client)

    @property
    def core(self) -> client.CoreV1Api:
        return client.CoreV1Api(self.api_client)

    def call(self, verb: str, resource: str, namespace: str, method, *args, **kwargs):
        """`method(*args, **kwargs)` within the timeout; its JSON answer (or text, for logs).
        `verb` and `resource` are RBAC's words, for the message when it is refused."""
        kwargs.update(_preload_content=False, _request_timeout=self.timeout)
        action = f"{verb} {resource} in namespace {namespace}"
        try:
            call = lambda: method(*args, **kwargs)  # noqa: E731
            response = within(self.timeout, call, name="kubernetes-api-call")
        except client.ApiException as e:
            raise refusal(e, verb, resource, namespace, self.server) from None
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise self.unreachable(e, action) from None
        return decode(response.data)

    def unreachable(self, error: Exception, action: str) -> Unreachable:
        # Ours (the whole call) or urllib3's (one socket read): both are the server's silence.
        if timed_out(error):
            return Unreachable(
                f"the Kubernetes API server {self.server} did not answer within "
                f"{self.timeout:g} s ({action})."
            )
        return Unreachable(
            f"cannot reach the Kubernetes API server {self.server} ({action}): {reason(error)}"
        )


def decode(data: bytes):
    text = data.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text  # a pod's log


def timed_out(error: BaseException) -> bool:
    cause = getattr(error, "reason", None) or error
    # urllib3 counts a refused connection as a connect timeout (NewConnectionError's base).
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        return False
    return isinstance(cause, (TimeoutError, urllib3.exceptions.TimeoutError))


def reason(error: BaseException) -> str:
    # urllib3 wraps the cause (connection refused, name not known) in MaxRetryError.
    cause = getattr(error, "reason", None) or error
    text = str(cause)
    return text.split(": ", 1)[-1] if "Failed to establish" in text else text


def refusal(e: client.ApiException, verb: str, resource: str, namespace: str, server: str):
    message = api_message(e)
    if e.status == 403:
        return Forbidden(
            f"Kubernetes refused to {verb} {resource} in namespace {namespace} (403 Forbidden): "
            f"the ServiceAccount or user lacks the RBAC verb {verb!r} on {resource!r}. {message}"
        )
    if e.status == 401:
        return Forbidden(
            f"the Kubernetes API server {server} rejected the credentials of the configuration "
            f"(401 Unauthorized) when asked to {verb} {resource}. {HOW_TO_CONFIGURE}"
        )
    return ApiError(
        f"Kubernetes answered {e.status} {e.reason} to {verb} {resource} in namespace "
        f"{namespace}: {message}",
        e.status,
    )


def api_message(e: client.ApiException) -> str:
    """The API server's own sentence (a Status object's message), else its status line."""
    try:
        return json.loads(e.body)["message"]
    except (TypeError, ValueError, KeyError):
        return f"{e.status} {e.reason}"


def shown_server(host: str) -> str:
    """scheme://host:port/path of the API server: never credentials or a query."""
    parts = urlsplit(host)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"


def connect(kubeconfig: str | None = None, timeout: float = REQUEST_TIMEOUT) -> Cluster | None:
    """The cluster the configuration names, or None when nothing names one. A kubeconfig given
    with --kubeconfig that cannot be used is a NotConfigured error."""
    configuration = client.Configuration()
    if kubeconfig is None and in_a_pod(configuration):
        namespace = Path(incluster_config.SERVICE_TOKEN_FILENAME).with_name("namespace")
        return cluster(configuration, namespace.read_text().strip() or "default", timeout)
    path = kubeconfig or kube_config.KUBE_CONFIG_DEFAULT_LOCATION
    if kubeconfig is None and not any_file(path):
        return None
    try:
        config.load_kube_config(config_file=path, client_configuration=configuration)
        _, context = config.list_kube_config_contexts(config_file=path)
    except (config.ConfigException, yaml.YAMLError, OSError, TypeError, KeyError) as e:
        raise NotConfigured(f"the kubeconfig {path} cannot be used: {e}. {HOW_TO_CONFIGURE}")
    namespace = (context.get("context") or {}).get("namespace") or "default"
    return cluster(configuration, namespace, timeout)


def cluster(configuration: client.Configuration, namespace: str, timeout: float) -> Cluster:
    configuration.retries = False  # one attempt: the caller's timeout is the whole budget
    api_client = client.ApiClient(configuration)
    return Cluster(api_client, shown_server(configuration.host), namespace, timeout)


def in_a_pod(configuration: client.Configuration) -> bool:
    try:
        config.load_incluster_config(client_configuration=configuration)
    except config.ConfigException:
        return False
    return True


def any_file(path: str) -> bool:
    # KUBECONFIG may list several files, as for kubectl.
    return any(Path(p).expanduser().is_file() for p in path.split(":") if p)


def require(cluster: Cluster | None) -> Cluster:
    if cluster is None:
        raise NotConfigured(
            "no Kubernetes configuration: no kubeconfig "
            f"({kube_config.KUBE_CONFIG_DEFAULT_LOCATION}) and not in a pod. {HOW_TO_CONFIGURE}"
        )
    return cluster
