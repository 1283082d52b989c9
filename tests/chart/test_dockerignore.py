"""Every COPY source in the Dockerfile reaches the build context through .dockerignore.

No Docker engine runs here, so the matching is Docker's own (moby/patternmatcher, used by BuildKit
to filter the context), reimplemented for what .dockerignore files use: `#` comments, `!`
exceptions, `*`, `?`, `**`, a pattern matching a file's parent directory, and the last matching
line winning.
"""

import re

import pytest

from tests.support.processes import ROOT


def read_patterns(text: str) -> list[tuple[bool, str]]:
    """(is an exception, pattern) per line, cleaned as Docker cleans them."""
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = line[1:].strip() if exception else line
        pattern = (
            re.sub(r"/+", "/", pattern).strip("/") or "."
        )  # filepath.Clean, leading "/" dropped
        patterns.append((exception, pattern))
    return patterns


def to_regex(pattern: str) -> re.Pattern:
    """patternmatcher's translation: `**/` any directories (or none), `**` at the end anything,
    `*` and `?` never cross a `/`."""
    out, i = "^", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
            out += ".*" if i == len(pattern) else "(.*/)?"
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + "$")


def is_ignored(path: str, patterns: list[tuple[bool, str]]) -> bool:
    """patternmatcher.MatchesOrParentMatches: a line matches the path or one of its parent
    directories; exceptions are only tried once the path is excluded, exclusions only while it is not."""
    parents = path.split("/")[:-1]
    ignored = False
    for exception, pattern in patterns:
        if exception != ignored:
            continue
        regex = to_regex(pattern)
        if regex.match(path) or any(
            regex.match("/".join(parents[: i + 1])) for i in range(len(parents))
        ):
            ignored = not exception
    return ignored


def copy_sources(dockerfile: str) -> list[str]:
    """Sources of every COPY from the build context (not --from another stage)."""
    sources = []
    for line in dockerfile.replace("\\\n", " ").splitlines():
        words = line.split()
        if words[:1] != ["COPY"] or any(w.startswith("--from") for w in words):
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        sources += args[:-1]
    return sources


def context_files(source: str) -> list[str]:
    """The files a COPY source names in the checkout, as paths relative to the context."""
    path = ROOT / source
    paths = (
        [p for p in path.rglob("*") if p.is_file()]
        if path.is_dir()
        else [path]
        if path.exists()
        else []
    )
    return sorted(p.relative_to(ROOT).as_posix() for p in paths)


PATTERNS = read_patterns((ROOT / ".dockerignore").read_text())
SOURCES = sorted(set(copy_sources((ROOT / "Dockerfile").read_text())))


def test_the_dockerfile_copies_what_the_image_needs():
    assert {
        "requirements.txt",
        "requirements-mysql.txt",
        "manage.py",
        "app",
        "jobs",
        "k8s",
        "helm/cronsuite/values.yaml",
    } <= set(SOURCES)


@pytest.mark.parametrize("source", SOURCES)
def test_every_copy_source_is_in_the_build_context(source):
    files = context_files(source)
    assert files, f"{source} is not in the repository"
    kept = [f for f in files if not is_ignored(f, PATTERNS)]
    # A directory whose files are all ignored does not exist in the context: COPY fails "not found".
    assert kept, f".dockerignore leaves nothing of {source}: add !{source}"
    # Every module of the code reaches the image; only tests and bytecode stay out.
    lost = [f for f in files if f.endswith(".py") and "/tests/" not in f and f not in kept]
    assert lost == []


def test_tests_and_bytecode_stay_out_of_the_context():
    for path in [
        "app/runs/tests/test_models.py",
        "app/tests/test_x.py",
        "jobs/__pycache__/cli.cpython-312.pyc",
        "jobs/runtime/cli.pyc",
        "tests/chart/test_static.py",
        "docs/helm.md",
        ".venv/bin/python",
        "data/x.sqlite3",
    ]:
        assert is_ignored(path, PATTERNS), path


# Docker's documented behaviour, so the matcher above is checked against it, not against itself.
@pytest.mark.parametrize(
    "lines,path,ignored",
    [
        (["*"], "app/models.py", True),  # "*" matches the top directory "app"
        (["*", "!app/"], "app/models.py", False),  # an exception re-includes a directory's files
        (["*", "!app/"], "jobs/runtime/cli.py", True),
        (["*", "!app", "app/secret.txt"], "app/secret.txt", True),  # the last matching line wins
        (["*.md"], "docs/helm.md", False),  # "*" never crosses a "/"
        (["**/*.md"], "docs/helm.md", True),  # "**/" is any number of directories...
        (["**/*.md"], "README.md", True),  # ...including none
        (["app/**/tests/"], "app/tests/test_x.py", True),
        (["app/**/tests/"], "app/runs/tests/test_x.py", True),
        (["app/**/tests/"], "app/runs/contests.py", False),
        (["docs/**"], "docs/jobs/addition.md", True),
        (["/docs"], "docs/helm.md", True),  # a leading "/" is dropped
        (["# comment", "?.txt"], "a.txt", True),
        (["?.txt"], "ab.txt", False),
        (["!app", "*"], "app/models.py", True),  # an exception before the exclusion does nothing
    ],
)
def test_the_matcher_follows_docker(lines, path, ignored):
    assert is_ignored(path, read_patterns("\n".join(lines))) is ignored
