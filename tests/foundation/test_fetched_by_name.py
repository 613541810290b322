"""Components are fetched by their names and coordinates through the ordinary clients (pip, apt, mvn),
never from a host written into the repository: no registry's host name appears in any file.

The names are written below as patterns (a dot escaped), so that this file does not name them either.
"""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGISTRY_HOSTS = [
    r"pypi\.org", r"pypi\.python\.org", r"files\.pythonhosted\.org", r"registry\.npmjs\.org", r"registry\.yarnpkg\.com",
    r"repo\.maven\.apache\.org", r"repo1\.maven\.org", r"central\.sonatype\.com", r"search\.maven\.org",
    r"deb\.debian\.org", r"security\.debian\.org", r"ftp\.debian\.org", r"archive\.ubuntu\.com",
    r"artifacts\.elastic\.co", r"download\.elastic\.co", r"docker\.elastic\.co", r"registry-1\.docker\.io",
    r"hub\.docker\.com", r"ghcr\.io", r"proxy\.golang\.org", r"crates\.io", r"rubygems\.org",
    r"objects\.githubusercontent\.com", r"playwright\.azureedge\.net", r"cdn\.playwright\.dev",
]
PATTERN = re.compile("|".join(REGISTRY_HOSTS), re.I)


def repository_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True)
    if listed.returncode == 0:
        return [ROOT / name for name in listed.stdout.decode().split("\0") if name]
    skip = {".git", ".venv", "instance", "__pycache__"}
    return [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]


def test_no_registry_host_name_appears_in_the_repository():
    found = []
    for path in repository_files():
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in PATTERN.finditer(text)]
    assert not found, "registry host names in the repository (fetch by name or coordinates instead):\n" + \
        "\n".join(found)


def test_elasticsearch_comes_by_its_maven_coordinates_and_system_packages_through_apt_by_name():
    es = (ROOT / "scripts" / "es-test-server").read_text()
    assert 'ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"' in es
    assert "mvn -q -B dependency:copy -Dartifact=\"$ES_ARTIFACT\"" in es
    assert not re.search(r"\b(curl|wget)\b[^\n]*https?://(?!127\.0\.0\.1|\$URL)", es)
    installer = (ROOT / "scripts" / "debian-packages").read_text()
    assert 'apt-get install -y -qq "${missing[@]}"' in installer
    makefile = (ROOT / "Makefile").read_text()
    for package in ("chromium=chromium", "postgresql", "mvn=maven", "wrk=wrk"):
        assert package in makefile
